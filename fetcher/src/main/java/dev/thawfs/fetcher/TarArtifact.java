package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * A tar: uncompressed, one header scan finds every entry's byte range (entry data is passed over,
 * not fetched: a window of headers costs one request, a large entry none) and one entry costs one
 * ranged read. Compressed (tar.gz, tgz, tar.zst, tar.xz), the archive
 * can only be read front to back, so it is artifact-granular: the pass that produces the index
 * also keeps every file's bytes in a scratch directory, from where each entry is handed over once;
 * only an entry asked for again (its content evicted meanwhile) costs another pass.
 */
final class TarArtifact extends ObjectArtifact {
    /** Compression around the tar. */
    enum Compression { NONE, GZIP, ZSTD, XZ }

    private static final int SCAN_WINDOW = 1 << 20;
    private static final int STREAM_WINDOW = 8 << 20;

    private final Compression compression;
    private final Path scratchParent;
    private final Spans spans;
    private Path scratch;

    /** @param scratchParent where a compressed tar's entries wait between the index pass and their use */
    TarArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits, Compression compression,
            Path scratchParent) {
        super(reader, object, uri, limits);
        this.compression = compression;
        this.scratchParent = scratchParent;
        this.spans = new Spans(reader, object);
    }

    private TarArchiveInputStream open(SequentialStream raw) throws IOException {
        try {
            InputStream in = switch (compression) {
                case NONE -> raw;
                case GZIP -> new GzipCompressorInputStream(raw, true);
                case ZSTD -> new ZstdCompressorInputStream(raw);
                case XZ -> new XZCompressorInputStream(raw, true);
            };
            return new TarArchiveInputStream(in, "UTF-8"); // names are UTF-8 whatever the locale
        } catch (IOException e) {
            if (e instanceof ObjectChangedException || e instanceof TransientFetchException) {
                throw e;
            }
            throw new BadArtifactException(uri, "not a " + compression.name().toLowerCase() + " stream ("
                    + e.getMessage() + ")", e);
        }
    }

    @Override
    public Iterator<IndexEntry> index() throws IOException {
        SequentialStream raw = new SequentialStream(reader, object, compression == Compression.NONE ? SCAN_WINDOW : STREAM_WINDOW);
        TarArchiveInputStream tar = open(raw);
        Path spill = compression == Compression.NONE ? null : scratch();
        return new EntryIterator(limits.onBadEntry()) {
            private long ordinal = -1;

            @Override
            IndexEntry read() throws IOException {
                try {
                    TarArchiveEntry entry = tar.getNextEntry();
                    if (entry == null) {
                        return null;
                    }
                    ordinal++;
                    if (ordinal >= limits.maxEntries()) {
                        throw new BadArtifactException(uri, null, "more than " + limits.maxEntries() + " entries");
                    }
                    IndexEntry next = entry(entry, raw.position(), ordinal);
                    if (spill != null && next.type() == EntryType.FILE && next.size() > 0) {
                        Files.copy(tar, spill.resolve(Long.toString(ordinal)));
                    } else if (spill == null) {
                        raw.discardUpTo(raw.position() + entry.getSize());
                    }
                    return next;
                } catch (BadArtifactException e) {
                    throw e;
                } catch (IOException e) {
                    throw new BadArtifactException(uri, "unreadable tar (" + e.getMessage() + ")", e);
                }
            }
        };
    }

    /** The index entry for a tar entry whose data starts at {@code dataOffset}; null for devices and fifos. */
    private IndexEntry entry(TarArchiveEntry entry, long dataOffset, long ordinal) throws BadArtifactException {
        String path = EntryPaths.normalize(uri, entry.getName(), entry.isDirectory());
        long millis = entry.getLastModifiedTime() == null ? 0 : entry.getLastModifiedTime().toMillis();
        long sec = Math.floorDiv(millis, 1000);
        int nsec = (int) Math.floorMod(millis, 1000) * 1_000_000;
        int mode = entry.getMode() & 07777;
        if (entry.isDirectory()) {
            return new IndexEntry(path, EntryType.DIRECTORY, mode, 0, sec, nsec, null, null, null);
        }
        if (entry.isSymbolicLink()) {
            return new IndexEntry(path, EntryType.SYMLINK, 0777, 0, sec, nsec, entry.getLinkName(), null, null);
        }
        if (entry.isLink()) {
            return new IndexEntry(path, EntryType.HARD_LINK, mode, 0, sec, nsec, null,
                    EntryPaths.normalize(uri, entry.getLinkName(), false), null);
        }
        if (!entry.isFile()) {
            return new IndexEntry(path, EntryType.FILE, mode, 0, sec, nsec, null, null,
                    locator(dataOffset, 0, ordinal)); // devices and fifos become empty files
        }
        if (entry.getSize() > limits.maxEntryBytes()) {
            throw new BadEntryException(uri, path, "declares " + entry.getSize() + " bytes, over limits.max-entry-size ("
                    + limits.maxEntryBytes() + "): raise it if the archive is trusted");
        }
        if (compression == Compression.NONE && dataOffset + entry.getSize() > object.size()) {
            throw new BadArtifactException(uri, path, "runs past the end of the archive (truncated)");
        }
        return new IndexEntry(path, EntryType.FILE, mode, entry.getSize(), sec, nsec, null, null,
                locator(dataOffset, entry.getSize(), ordinal));
    }

    private byte[] locator(long dataOffset, long size, long ordinal) {
        return compression == Compression.NONE
                ? Locators.allocate(Locators.TAR, 16).putLong(dataOffset).putLong(size).array()
                : Locators.allocate(Locators.STREAMED_TAR, 8).putLong(ordinal).array();
    }

    /** Uncompressed, entries close together are fetched together; compressed, the index pass keeps them all anyway. */
    @Override
    public void expect(List<byte[]> locators) {
        if (compression != Compression.NONE) {
            return;
        }
        spans.expect(locators, locator -> {
            ByteBuffer b = Locators.read(locator, Locators.TAR, uri);
            long offset = b.getLong();
            return new Spans.Range(offset, offset + b.getLong());
        });
    }

    @Override
    public void extract(byte[] locator, long size, OutputStream out) throws IOException {
        if (size == 0) {
            return;
        }
        if (compression == Compression.NONE) {
            ByteBuffer b = Locators.read(locator, Locators.TAR, uri);
            long offset = b.getLong();
            long length = b.getLong();
            byte[] spanned = length <= Integer.MAX_VALUE ? spans.claim(offset, (int) length) : null;
            if (spanned != null) {
                out.write(spanned);
            } else {
                reader.copy(object, offset, length, out);
            }
            return;
        }
        long ordinal = Locators.read(locator, Locators.STREAMED_TAR, uri).getLong();
        Path spilled = scratch == null ? null : scratch.resolve(Long.toString(ordinal));
        if (spilled != null && Files.exists(spilled)) {
            try {
                Files.copy(spilled, out);
                Files.delete(spilled); // handed over: the store keeps it from now on
                return;
            } catch (java.nio.file.NoSuchFileException handedOverMeanwhile) {
                // another request took it first: stream it again
            }
        }
        try (TarArchiveInputStream tar = open(new SequentialStream(reader, object, STREAM_WINDOW))) {
            for (long i = 0; ; i++) {
                TarArchiveEntry entry = tar.getNextEntry();
                if (entry == null) {
                    throw new BadArtifactException(uri, null, "entry " + ordinal + " is not there any more (truncated?)");
                }
                if (i == ordinal) {
                    long copied = tar.transferTo(out);
                    if (copied != size) {
                        throw new BadArtifactException(uri, entry.getName(), copied + " bytes, the index says " + size);
                    }
                    return;
                }
            }
        }
    }

    private synchronized Path scratch() throws IOException {
        if (scratch == null) {
            Files.createDirectories(scratchParent);
            scratch = Files.createTempDirectory(scratchParent, "tar-");
        }
        return scratch;
    }

    @Override
    public void close() {
        super.close();
        if (scratch != null) {
            try (Stream<Path> left = Files.list(scratch)) {
                for (Path file : (Iterable<Path>) left::iterator) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(scratch);
            } catch (IOException e) {
                System.getLogger(TarArtifact.class.getName()).log(System.Logger.Level.WARNING,
                        "could not clean " + scratch + ": " + e);
            }
        }
    }
}
