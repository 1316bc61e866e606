package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.zip.CRC32;

/**
 * A tar.gz read through its {@link SeekIndex}: the index gives the tree without a pass over the
 * archive, and a file costs the ranged reads of the segments from the checkpoint before it to the
 * one after it (one for most files, shared with its neighbours), inflated from the checkpoint's
 * window, with its size and CRC-32 checked. Files the index leaves
 * to streaming (sparse ones) are extracted as from a plain tar.gz.
 */
final class SeekableTarArtifact extends ObjectArtifact {
    /** Entries read through an index are located otherwise than streamed ones: another artifact to the store. */
    private static final String IDENTITY_SUFFIX = " seekable";

    private final SeekIndex index;
    private final TarArtifact streamed;
    private final CheckpointSegments segments;

    SeekableTarArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits, SeekIndex index,
            Path scratchParent) {
        super(reader, object, uri, limits);
        this.index = index;
        this.segments = new CheckpointSegments(reader, object, index);
        this.streamed = new TarArtifact(reader, object, uri, limits, TarArtifact.Compression.GZIP, scratchParent);
    }

    @Override
    public String identity() {
        return object.identity() + IDENTITY_SUFFIX;
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
        SeekIndex.Checkpoint checkpoint = index.checkpoints.get(first);
        InputStream compressed = segments.read(first, Math.max(first, index.checkpointAfter(offset + length) - 1));
        try (GzipInflaterStream in = GzipInflaterStream.resume(compressed, checkpoint, index.window(checkpoint), uri)) {
            in.skipNBytes(offset - checkpoint.out());
            CRC32 crc = new CRC32();
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
            if ((int) crc.getValue() != expectedCrc) {
                throw new BadArtifactException(uri, null, "the entry at " + offset + " of its seek index has another"
                        + " CRC-32 than the index records: the index does not describe this archive");
            }
        } catch (java.io.EOFException e) {
            throw new BadArtifactException(uri, null, "ends before an entry at " + offset + " of its seek index");
        }
    }

    @Override
    public void close() {
        streamed.close(); // its scratch, if a sparse file was streamed; and the reader, shared
    }
}
