package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed bytes of a gzip stream (members one after another), inflated by the system
 * zlib: either from the start, noting a {@link SeekIndex.Checkpoint} at the first deflate block
 * boundary after every {@code spacing} bytes of input, or resumed at such a checkpoint, from the
 * byte it lies in.
 */
final class GzipInflaterStream extends DecompressedStream {
    /** A gzip member's trailer (CRC-32, size), which inflation resumed as bare deflate data leaves to skip. */
    private static final int TRAILER = 8;

    private final NativeInflater inflater;
    private final InputStream compressed;
    private final String uri;
    private final Checkpoints checkpoints;
    private final long spacing;
    private final long inputBase;
    private final byte[] input = new byte[NativeInflater.inputCapacity()];
    private long position;
    private long lastCheckpoint = -1;
    /** Inflating bare deflate data (resumed at a checkpoint), whose gzip trailer is left to skip. */
    private boolean raw;
    private int trailerLeft;
    private boolean betweenMembers;
    private boolean ended;

    private GzipInflaterStream(NativeInflater inflater, InputStream compressed, String uri, Checkpoints checkpoints,
            long spacing, long inputBase, long position) {
        this.inflater = inflater;
        this.compressed = compressed;
        this.uri = uri;
        this.checkpoints = checkpoints;
        this.spacing = spacing;
        this.inputBase = inputBase;
        this.position = position;
    }

    /** From the first byte of the archive, handing a checkpoint to {@code checkpoints} every {@code spacing} input bytes. */
    static GzipInflaterStream fromStart(InputStream compressed, String uri, long spacing, Checkpoints checkpoints)
            throws IOException {
        return new GzipInflaterStream(new NativeInflater(NativeInflater.GZIP, uri), compressed, uri, checkpoints,
                spacing, 0, 0);
    }

    /**
     * From {@code checkpoint}: {@code compressed} starts at {@link SeekIndex.Checkpoint#fetchFrom}, the
     * byte the checkpoint's first block starts in.
     */
    static GzipInflaterStream resume(InputStream compressed, SeekIndex.Checkpoint checkpoint, byte[] window, String uri)
            throws IOException {
        NativeInflater inflater = new NativeInflater(NativeInflater.RAW, uri);
        try {
            if (checkpoint.bits() > 0) {
                int partial = compressed.read();
                if (partial < 0) {
                    throw new BadArtifactException(uri, null, "ends at a checkpoint of its seek index (truncated?)");
                }
                inflater.prime(checkpoint.bits(), partial >> (8 - checkpoint.bits()));
            }
            if (window.length > 0) {
                inflater.setDictionary(window);
            }
        } catch (IOException | RuntimeException e) {
            inflater.close();
            throw e;
        }
        GzipInflaterStream stream = new GzipInflaterStream(inflater, compressed, uri, null, 0, checkpoint.in(),
                checkpoint.out());
        stream.raw = true;
        return stream;
    }

    @Override
    long position() {
        return position;
    }

    @Override
    int readSome(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!ended) {
            if (trailerLeft > 0) {
                if (inflater.remainingInput() == 0 && !fill()) {
                    return -1;
                }
                int skipped = Math.min(trailerLeft, inflater.remainingInput());
                inflater.skipInput(skipped);
                trailerLeft -= skipped;
                continue;
            }
            NativeInflater.Result result = inflater.inflate(buffer, offset, length, checkpoints != null);
            position += result.produced();
            if (result.streamEnd()) {
                trailerLeft = raw ? TRAILER : 0; // gzip inflation reads its trailer itself
                raw = false;
                inflater.reset(NativeInflater.GZIP);
                betweenMembers = true;
            } else if (result.produced() > 0) {
                betweenMembers = false;
            }
            if (checkpoints != null && !result.streamEnd() && inflater.atBlockBoundary()) {
                checkpoint();
            }
            if (result.produced() > 0) {
                return result.produced();
            }
            // only now: zlib may hold output for input it has taken in already (the end of a segment, say)
            if (inflater.remainingInput() == 0 && !fill()) {
                return -1;
            }
        }
        return -1;
    }

    /** Skipping is reading: in large steps, not InputStream's 2 KiB ones (a native call each). */
    @Override
    public long skip(long n) throws IOException {
        byte[] discarded = new byte[(int) Math.max(0, Math.min(n, 64 << 10))];
        long skipped = 0;
        for (int got; skipped < n && (got = read(discarded, 0, (int) Math.min(discarded.length, n - skipped))) > 0; ) {
            skipped += got;
        }
        return skipped;
    }

    /** Input for the inflater; false at the end of the input between members (the end of the archive). */
    private boolean fill() throws IOException {
        int n = compressed.read(input, 0, input.length);
        if (n < 0) {
            if (betweenMembers && trailerLeft == 0 && !raw) {
                ended = true;
                return false;
            }
            throw new BadArtifactException(uri, null, "the gzip stream ends early (truncated?)");
        }
        inflater.setInput(input, 0, n);
        return true;
    }

    private void checkpoint() throws IOException {
        long in = inputBase + inflater.consumed();
        if (lastCheckpoint < 0 || in - lastCheckpoint >= spacing) {
            lastCheckpoint = in;
            checkpoints.add(new SeekIndex.Checkpoint(in, inflater.pendingBits(), position,
                    SeekIndex.compressWindow(inflater.window())));
        }
    }

    @Override
    public void close() throws IOException {
        inflater.close();
        compressed.close();
    }
}
