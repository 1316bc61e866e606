package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Builds a tar.gz's or tar.zst's {@link SeekIndex} in one pass over the archive: decompressing
 * it noting checkpoints, reading the tar on top for its entries, as a mount's index pass would,
 * and each file's CRC-32 (checked whenever it is extracted through the index). A mount's pass
 * leaves each file's bytes in its scratch on the way, as a streamed compressed tar's does.
 */
final class SeekIndexBuilder {
    private SeekIndexBuilder() {
    }

    /** The index, built by a pass that keeps nothing else. */
    static SeekIndex build(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits, SeekCodec codec,
            long spacing) throws IOException {
        SeekIndex[] built = new SeekIndex[1];
        try {
            pass(reader, object, uri, limits, codec, spacing, null, index -> built[0] = index).forEachRemaining(entry -> { });
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return built[0];
    }

    /**
     * The entries as the pass reads them, located through the index (sparse files excepted, as
     * streamed); each file's bytes spilled into {@code spill}'s scratch unless it is null; the
     * index to {@code built} once the pass has read the last entry.
     */
    static Iterator<IndexEntry> pass(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits,
            SeekCodec codec, long spacing, TarArtifact spill, Consumer<SeekIndex> built) throws IOException {
        TarArtifact entries = new TarArtifact(reader, object, uri, limits, codec.compression, null);
        List<SeekIndex.Checkpoint> checkpoints = new ArrayList<>();
        SeekIndex.EntryWriter writer = new SeekIndex.EntryWriter();
        DecompressedStream decompressed = codec.fromStart(
                SequentialStream.inParts(reader, object, 0, object.size()), uri, spacing, checkpoints::add);
        TarArchiveInputStream tar = new TarArchiveInputStream(decompressed, "UTF-8");
        Iterator<IndexEntry> pass = new EntryIterator(limits.onBadEntry()) {
            private long ordinal = -1;

            @Override
            IndexEntry read() throws IOException {
                try {
                    IndexEntry next = readEntry();
                    if (next == null) {
                        tar.close();
                        built.accept(writer.finish(object, spacing, checkpoints));
                    } else {
                        writer.add(next);
                    }
                    return next;
                } catch (BadEntryException e) {
                    throw e;
                } catch (IOException | RuntimeException e) {
                    tar.close();
                    throw e;
                }
            }

            private IndexEntry readEntry() throws IOException {
                TarArchiveEntry entry;
                try {
                    entry = tar.getNextEntry();
                } catch (BadArtifactException e) {
                    throw e;
                } catch (IOException e) {
                    throw new BadArtifactException(uri, "unreadable tar (" + e.getMessage() + ")", e);
                }
                if (entry == null) {
                    return null;
                }
                if (++ordinal >= limits.maxEntries()) {
                    throw new BadArtifactException(uri, null, "more than " + limits.maxEntries() + " entries");
                }
                long dataOffset = decompressed.position();
                IndexEntry indexed = entries.entry(entry, 0, dataOffset, TarArtifact.storedBytes(entry), ordinal);
                if (indexed.type() != EntryType.FILE || indexed.size() == 0) {
                    return indexed;
                }
                if (entry.isSparse()) {
                    if (spill != null) {
                        spill.spillSparse(tar, entry, spill.spillFile(TarArtifact.streamedName(ordinal)));
                    }
                    return indexed; // a sparse file keeps its streamed locator: extracted by a pass over the archive
                }
                byte[] locator = Locators.allocate(Locators.SEEKABLE_TAR, 20).putLong(dataOffset)
                        .putLong(indexed.size()).putInt((int) crc(tar, spill == null ? null
                                : spill.spillFile(SeekableTarArtifact.spillName(dataOffset)))).array();
                return new IndexEntry(indexed.path(), indexed.type(), indexed.mode(), indexed.size(),
                        indexed.mtimeSec(), indexed.mtimeNsec(), null, null, locator);
            }
        };
        try {
            pass.hasNext(); // an archive that is no tar.gz (or tar.zst) at all is refused here, not half-way through
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return pass;
    }

    /** The CRC-32 of the entry's bytes, copied into {@code spilled} on the way unless it is null. */
    private static long crc(TarArchiveInputStream tar, Path spilled) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 << 10];
        try (OutputStream out = spilled == null ? OutputStream.nullOutputStream() : Files.newOutputStream(spilled)) {
            for (int n; (n = tar.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
        }
        return crc.getValue();
    }
}
