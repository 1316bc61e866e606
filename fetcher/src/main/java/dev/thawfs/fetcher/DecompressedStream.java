package dev.thawfs.fetcher;

import java.io.IOException;

/**
 * The decompressed bytes of an archive that a seek index can resume in: read from the start
 * noting checkpoints, or from a checkpoint on.
 */
abstract class DecompressedStream extends BlockInputStream {
    /** Receives checkpoints as the stream passes them. */
    interface Checkpoints {
        void add(SeekIndex.Checkpoint checkpoint) throws IOException;
    }

    /** Decompressed bytes produced so far, counted from the archive's start. */
    abstract long position();

    /**
     * Fills {@code buffer} unless the stream ends first: a sparse tar entry's reader takes a
     * short read for the end of a data segment and moves on to the next.
     */
    @Override
    public final int read(byte[] buffer, int offset, int length) throws IOException {
        int total = 0;
        while (total < length) {
            int n = readSome(buffer, offset + total, length - total);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    /** Some bytes, at least one unless {@code length} is 0; -1 at the end. */
    abstract int readSome(byte[] buffer, int offset, int length) throws IOException;
}
