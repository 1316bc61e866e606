package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.zip.CRC32;

/**
 * A tar.gz (or multi-frame tar.zst) read through its {@link SeekIndex}: the index gives the tree
 * without a pass over the archive, and a file costs the ranged reads of the segments from the
 * checkpoint before it to the one after it (one for most files), decompressed from the
 * checkpoint on, with its size and CRC-32 checked; neighbouring files share the segments'
 * requests and decompression. Files the index leaves to streaming (sparse ones) are extracted as
 * from a streamed compressed tar.
 */
final class SeekableTarArtifact extends ObjectArtifact {
    /** Entries read through an index are located otherwise than streamed ones: another artifact to the store. */
    private static final String IDENTITY_SUFFIX = " seekable";
    /** Files up to this size are cut from inflated segments, kept for their neighbours; larger ones stream. */
    private static final long SLICED = 16 << 20;

    private final SeekIndex index;
    private final SeekCodec codec;
    private final TarArtifact streamed;
    private final CheckpointSegments segments;
    private final InflatedSegments inflated;

    SeekableTarArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits, SeekIndex index,
            SeekCodec codec, Path scratchParent) {
        super(reader, object, uri, limits);
        this.index = index;
        this.codec = codec;
        this.segments = new CheckpointSegments(reader, object, index);
        this.inflated = new InflatedSegments(index, codec, segments, uri);
        this.streamed = new TarArtifact(reader, object, uri, limits, codec.compression, scratchParent);
    }

    @Override
    public String identity() {
        return identity(object);
    }

    /** Whether read through an index kept, published or being built: the same entries, the same artifact. */
    static String identity(ObjectInfo object) {
        return object.identity() + IDENTITY_SUFFIX;
    }

    /** The name in a mount's scratch of the bytes of the file at {@code dataOffset}, left there by its index pass. */
    static String spillName(long dataOffset) {
        return "at-" + dataOffset;
    }

    @Override
    public Iterator<IndexEntry> index() {
        return index.entries(uri, limits);
    }

    @Override
    public void extract(byte[] locator, long size, OutputStream out) throws IOException {
        if (size == 0) {
            return;
        }
        if (locator == null || locator.length == 0 || locator[0] != Locators.SEEKABLE_TAR) {
            streamed.extract(locator, size, out);
            return;
        }
        ByteBuffer b = Locators.read(locator, Locators.SEEKABLE_TAR, uri);
        long offset = b.getLong();
        long length = b.getLong();
        int expectedCrc = b.getInt();
        if (length != size) {
            throw new BadArtifactException(uri, null, "an entry of " + size + " bytes whose locator says " + length
                    + ": re-import the artifact");
        }
        int first = index.checkpointBefore(offset);
        int last = Math.max(first, index.checkpointAfter(offset + length) - 1);
        CRC32 crc = new CRC32();
        try {
            if (length <= SLICED && keepsAll(first, last)) {
                slice(first, offset, length, crc, out);
            } else {
                stream(first, last, offset, length, crc, out);
            }
        } catch (java.io.EOFException e) {
            throw new BadArtifactException(uri, null, "ends before an entry at " + offset + " of its seek index");
        }
        if ((int) crc.getValue() != expectedCrc) {
            throw new BadArtifactException(uri, null, "the entry at " + offset + " of its seek index has another"
                    + " CRC-32 than the index records: the index does not describe this archive");
        }
    }

    /** A file from the inflated segments it lies in, shared with its neighbours. */
    private void slice(int first, long offset, long length, CRC32 crc, OutputStream out) throws IOException {
        long at = offset;
        for (int segment = first; at < offset + length; segment++) {
            byte[] output = inflated.inflated(segment);
            int from = (int) (at - index.checkpoints.get(segment).out());
            int n = (int) Math.min(output.length - from, offset + length - at);
            crc.update(output, from, n);
            out.write(output, from, n);
            at += n;
        }
    }

    private boolean keepsAll(int first, int last) {
        for (int segment = first; segment <= last; segment++) {
            if (!inflated.keeps(segment)) {
                return false;
            }
        }
        return true;
    }

    /** A file inflated from the checkpoint before it, as it arrives: one too large to hold, or at the archive's end. */
    private void stream(int first, int last, long offset, long length, CRC32 crc, OutputStream out) throws IOException {
        SeekIndex.Checkpoint checkpoint = index.checkpoints.get(first);
        try (DecompressedStream in = codec.resume(segments.read(first, last), index, checkpoint, uri)) {
            in.skipNBytes(offset - checkpoint.out());
            byte[] buffer = new byte[64 << 10];
            for (long left = length; left > 0; ) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new BadArtifactException(uri, null, "ends " + left + " bytes short of an entry at "
                            + offset + " of its seek index (truncated?)");
                }
                crc.update(buffer, 0, n);
                out.write(buffer, 0, n);
                left -= n;
            }
        }
    }

    @Override
    public void close() {
        streamed.close(); // its scratch, if a sparse file was streamed; and the reader, shared
    }
}
