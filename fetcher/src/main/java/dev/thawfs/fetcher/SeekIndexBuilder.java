package dev.thawfs.fetcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Builds a tar.gz's {@link SeekIndex} in one pass over the archive: inflating with the system
 * zlib to note checkpoints, reading the tar on top for its entries, as a mount's index pass
 * would, and each file's CRC-32 (checked whenever it is extracted through the index).
 */
final class SeekIndexBuilder {
    private SeekIndexBuilder() {
    }

    static SeekIndex build(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits, long spacing)
            throws IOException {
        TarArtifact entries = new TarArtifact(reader, object, uri, limits, TarArtifact.Compression.GZIP, null);
        List<SeekIndex.Checkpoint> checkpoints = new ArrayList<>();
        SeekIndex.EntryWriter writer = new SeekIndex.EntryWriter();
        try (GzipInflaterStream gzip = GzipInflaterStream.fromStart(
                new SequentialStream(reader, object, TarArtifact.STREAM_WINDOW), uri, spacing, checkpoints::add);
                TarArchiveInputStream tar = new TarArchiveInputStream(gzip, "UTF-8")) {
            Iterator<IndexEntry> read = new EntryIterator(limits.onBadEntry()) {
                private long ordinal = -1;

                @Override
                IndexEntry read() throws IOException {
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
                    long dataOffset = gzip.position();
                    IndexEntry indexed = entries.entry(entry, 0, dataOffset, TarArtifact.storedBytes(entry), ordinal);
                    if (indexed.type() != EntryType.FILE || indexed.size() == 0 || entry.isSparse()) {
                        return indexed; // a sparse file keeps its streamed locator: extracted by a pass over the archive
                    }
                    byte[] locator = Locators.allocate(Locators.SEEKABLE_TAR, 20).putLong(dataOffset)
                            .putLong(indexed.size()).putInt((int) crc(tar)).array();
                    return new IndexEntry(indexed.path(), indexed.type(), indexed.mode(), indexed.size(),
                            indexed.mtimeSec(), indexed.mtimeNsec(), null, null, locator);
                }
            };
            while (read.hasNext()) {
                writer.add(read.next());
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return writer.finish(object, spacing, checkpoints);
    }

    private static long crc(TarArchiveInputStream tar) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[64 << 10];
        for (int n; (n = tar.read(buffer)) > 0; ) {
            crc.update(buffer, 0, n);
        }
        return crc.getValue();
    }
}
