package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveStructSparse;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/**
 * A tar: uncompressed, one header scan finds every entry's byte range (entry data is passed over,
 * not fetched: a window of headers costs one request, a large entry none, and a region of small
 * entries is read ahead in parallel windows) and one entry costs one ranged read, or none if the
 * scan held it: what the scan fetched is kept in a scratch file ({@link KeptRanges}). Compressed
 * (tar.gz, tgz, tar.zst, tar.xz), the archive can only be read front to back, so it is
 * artifact-granular: the pass that produces the index (fetching parts in parallel while it
 * decompresses) also keeps every file's bytes in a scratch directory, from where each entry is
 * handed over once; only an entry asked for again (its content evicted meanwhile) costs another
 * pass. (A tar.gz or tar.zst is read so only without a seek index and without the native library
 * one needs: see {@link SeekIndexes}; its sparse files always are.)
 */
final class TarArtifact extends ObjectArtifact {
    /** Compression around the tar. */
    enum Compression { NONE, GZIP, ZSTD, XZ }

    private static final int SCAN_WINDOW = 1 << 20;
    static final int STREAM_WINDOW = 8 << 20;

    private final Compression compression;
    private final Path scratchParent;
    private final Spans spans;
    private Path scratch;
    /** What the header scan fetched, for the entries it held; null before the scan and for local files. */
    private volatile KeptRanges kept;

    /** @param scratchParent where a compressed tar's entries wait between the index pass and their use */
    TarArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits, Compression compression,
            Path scratchParent) {
        super(reader, object, uri, limits);
        this.compression = compression;
        this.scratchParent = scratchParent;
        this.spans = new Spans(reader, object);
    }

    private TarArchiveInputStream open(InputStream raw) throws IOException {
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
        SequentialStream raw = compression == Compression.NONE
                ? SequentialStream.scanning(reader, object, SCAN_WINDOW, keep())
                : SequentialStream.inParts(reader, object, 0, object.size());
        TarArchiveInputStream tar = open(raw);
        Path spill = compression == Compression.NONE ? null : scratch();
        return new EntryIterator(limits.onBadEntry()) {
            private long ordinal = -1;
            /** Uncompressed: the entry whose data is still to be passed over, and where the next entry's first header is. */
            private TarArchiveEntry unfinished;
            private long nextHeader;

            @Override
            IndexEntry read() throws IOException {
                try {
                    if (unfinished != null) {
                        passOver(unfinished);
                        unfinished = null;
                    }
                    TarArchiveEntry entry = tar.getNextEntry();
                    if (entry == null) {
                        return null;
                    }
                    ordinal++;
                    if (ordinal >= limits.maxEntries()) {
                        throw new BadArtifactException(uri, null, "more than " + limits.maxEntries() + " entries");
                    }
                    long dataOffset = raw.position();
                    long stored = storedBytes(entry);
                    if (spill == null) {
                        // what the stream will read of the archive for this entry: a sparse one's data segments
                        // only (and, PAX 1.0, not its map, read already), whatever size its header declares
                        raw.discardUpTo(dataOffset + stored);
                        unfinished = entry;
                    }
                    IndexEntry next = entry(entry, nextHeader, dataOffset, stored, ordinal);
                    if (spill != null && next.type() == EntryType.FILE && next.size() > 0) {
                        Path file = spill.resolve(streamedName(ordinal));
                        if (entry.isSparse()) {
                            spillSparse(tar, entry, file);
                        } else {
                            try (OutputStream spilled = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW,
                                    StandardOpenOption.WRITE)) {
                                copy(tar, spilled, next.size());
                            }
                        }
                    }
                    return next;
                } catch (BadArtifactException e) {
                    throw e;
                } catch (IOException e) {
                    throw new BadArtifactException(uri, "unreadable tar (" + e.getMessage() + ")", e);
                }
            }

            /**
             * Reads the rest of an entry (discarded: nothing is fetched), so that the position is
             * its data's end; the next entry's first header follows its padding, which the stream
             * counts from the size the header declares, as it will when it skips it.
             */
            private void passOver(TarArchiveEntry entry) throws IOException {
                while (tar.skip(Long.MAX_VALUE) > 0) {
                    // skip goes no further than the entry's end
                }
                long declared = entry.getSize();
                int record = tar.getRecordSize();
                nextHeader = raw.position()
                        + (entry.isDirectory() || declared % record == 0 ? 0 : record - declared % record);
            }
        };
    }

    /**
     * The bytes of entry data the stream reads from the archive: the declared size, or for a
     * sparse entry its data segments (none of its holes), or all of its real size if it has no map.
     */
    static long storedBytes(TarArchiveEntry entry) throws IOException {
        if (entry.isDirectory()) {
            return 0; // the stream reads none of a directory's data
        }
        if (!entry.isSparse()) {
            return entry.getSize();
        }
        List<TarArchiveStructSparse> map = entry.getOrderedSparseHeaders();
        if (map.isEmpty()) {
            return entry.getRealSize();
        }
        long stored = 0;
        for (TarArchiveStructSparse segment : map) {
            stored += segment.getNumbytes(); // segments lie in order within the real size: no overflow
        }
        return stored;
    }

    /**
     * The index entry for a tar entry whose first header (a PAX or long-name header, if it has
     * one) is at {@code headerOffset} and whose data, {@code stored} bytes of it, starts at
     * {@code dataOffset}; null for devices and fifos.
     */
    IndexEntry entry(TarArchiveEntry entry, long headerOffset, long dataOffset, long stored, long ordinal)
            throws IOException {
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
        long size = entry.getRealSize(); // a sparse file's, holes included
        if (size > limits.maxEntryBytes()) {
            throw new BadEntryException(uri, path, "declares " + size + " bytes, over limits.max-entry-size ("
                    + limits.maxEntryBytes() + "): raise it if the archive is trusted");
        }
        if (compression == Compression.NONE && dataOffset + stored > object.size()) {
            throw new BadArtifactException(uri, path, "runs past the end of the archive (truncated)");
        }
        byte[] locator = compression == Compression.NONE && entry.isSparse()
                ? Locators.allocate(Locators.SPARSE_TAR, 16).putLong(headerOffset).putLong(dataOffset + stored).array()
                : locator(dataOffset, size, ordinal);
        return new IndexEntry(path, EntryType.FILE, mode, size, sec, nsec, null, null, locator);
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
            Spans.Range range = range(locator);
            KeptRanges scanned = kept;
            return scanned != null && scanned.holdsAny(range.start(), range.end()) ? null : range;
        });
    }

    /** Where an uncompressed tar's entry is: its data, or a sparse one's headers and data. */
    private Spans.Range range(byte[] locator) throws BadArtifactException {
        if (locator != null && locator.length > 0 && locator[0] == Locators.SPARSE_TAR) {
            ByteBuffer b = Locators.read(locator, Locators.SPARSE_TAR, uri);
            return new Spans.Range(b.getLong(), b.getLong());
        }
        ByteBuffer b = Locators.read(locator, Locators.TAR, uri);
        long offset = b.getLong();
        return new Spans.Range(offset, offset + b.getLong());
    }

    @Override
    public void extract(byte[] locator, long size, OutputStream out) throws IOException {
        if (size == 0) {
            return;
        }
        if (compression == Compression.NONE && locator != null && locator.length > 0
                && locator[0] == Locators.SPARSE_TAR) {
            extractSparse(locator, size, out);
            return;
        }
        if (compression == Compression.NONE) {
            ByteBuffer b = Locators.read(locator, Locators.TAR, uri);
            long offset = b.getLong();
            long length = b.getLong();
            byte[] spanned = length <= Integer.MAX_VALUE ? spans.claim(offset, (int) length) : null;
            KeptRanges scanned = kept;
            if (spanned != null) {
                out.write(spanned);
            } else if (scanned != null) {
                scanned.copy(offset, offset + length, out);
            } else {
                reader.copy(object, offset, length, out);
            }
            return;
        }
        long ordinal = Locators.read(locator, Locators.STREAMED_TAR, uri).getLong();
        if (handOver(streamedName(ordinal), out)) {
            return;
        }
        try (TarArchiveInputStream tar = open(SequentialStream.inParts(reader, object, 0, object.size()))) {
            for (long i = 0; ; i++) {
                TarArchiveEntry entry = tar.getNextEntry();
                if (entry == null) {
                    throw new BadArtifactException(uri, null, "entry " + ordinal + " is not there any more (truncated?)");
                }
                if (i == ordinal) {
                    long copied = entry.isSparse() ? expand(tar, entry, out, length -> writeZeros(out, length))
                            : tar.transferTo(out);
                    if (copied != size) {
                        throw new BadArtifactException(uri, entry.getName(), copied + " bytes, the index says " + size);
                    }
                    return;
                }
            }
        }
    }

    /**
     * A sparse entry of an uncompressed tar: its headers and data segments, one ranged read (or
     * a part of a span), parsed again from its first header for its map, then expanded.
     */
    private void extractSparse(byte[] locator, long size, OutputStream out) throws IOException {
        ByteBuffer b = Locators.read(locator, Locators.SPARSE_TAR, uri);
        long start = b.getLong();
        long end = b.getLong();
        byte[] spanned = end - start <= Integer.MAX_VALUE ? spans.claim(start, (int) (end - start)) : null;
        KeptRanges scanned = kept;
        InputStream raw = spanned != null ? new java.io.ByteArrayInputStream(spanned)
                : scanned != null ? scanned.open(start, end) : new SequentialStream(reader, object, STREAM_WINDOW, start, end);
        try (TarArchiveInputStream tar = open(raw)) {
            TarArchiveEntry entry;
            try {
                entry = tar.getNextEntry();
            } catch (IOException e) {
                if (e instanceof ObjectChangedException || e instanceof TransientFetchException) {
                    throw e;
                }
                throw new BadArtifactException(uri, "unreadable tar at " + start + " (" + e.getMessage() + ")", e);
            }
            if (entry == null || !entry.isSparse() || entry.getRealSize() != size) {
                throw new BadArtifactException(uri, entry == null ? null : entry.getName(), "no sparse entry of " + size
                        + " bytes at " + start + ", where the index has one: re-import the artifact");
            }
            long copied = expand(tar, entry, out, length -> writeZeros(out, length));
            if (copied != size) {
                throw new BadArtifactException(uri, entry.getName(), copied + " bytes, the index says " + size);
            }
        }
    }

    /**
     * Copies a file's content through a buffer of up to 1 MiB: Files.copy's 8 KiB one costs a
     * write (and an inflate) per 8 KiB, 131,072 of them for a 1 GiB archive.
     */
    private static void copy(InputStream in, OutputStream out, long size) throws IOException {
        byte[] buffer = new byte[(int) Math.max(1, Math.min(1 << 20, size))];
        for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
            out.write(buffer, 0, n);
        }
    }

    /** What to do with a hole of a sparse entry: write zeros, or leave it a hole. */
    private interface Hole {
        void pass(long length) throws IOException;
    }

    /**
     * The content of the sparse entry {@code tar} is at, onto {@code out}: each data segment
     * copied, each hole to {@code hole} (passed over in the stream at no cost). Returns the
     * entry's bytes, holes included.
     */
    private long expand(TarArchiveInputStream tar, TarArchiveEntry entry, OutputStream out, Hole hole)
            throws IOException {
        List<TarArchiveStructSparse> map = entry.getOrderedSparseHeaders();
        if (map.isEmpty()) {
            return tar.transferTo(out); // no map: the data as stored
        }
        byte[] buffer = new byte[64 << 10];
        long at = 0;
        for (TarArchiveStructSparse segment : map) {
            at += passHole(tar, entry, segment.getOffset() - at, hole);
            for (long left = segment.getNumbytes(); left > 0; ) {
                int n = tar.read(buffer, 0, (int) Math.min(buffer.length, left));
                if (n < 0) {
                    throw new BadArtifactException(uri, entry.getName(), "data ends within a segment (truncated)");
                }
                out.write(buffer, 0, n);
                left -= n;
                at += n;
            }
        }
        long end = entry.getRealSize() - at; // the stream need not pass it: no data follows
        if (end > 0) {
            hole.pass(end);
        }
        return at + Math.max(0, end);
    }

    /** A hole before a data segment: passed in the stream too, which then is at the segment. */
    private long passHole(TarArchiveInputStream tar, TarArchiveEntry entry, long length, Hole hole) throws IOException {
        for (long left = length; left > 0; ) {
            long n = tar.skip(left);
            if (n <= 0) {
                throw new BadArtifactException(uri, entry.getName(), "a hole ends early (corrupt sparse map)");
            }
            left -= n;
        }
        if (length > 0) {
            hole.pass(length);
        }
        return length;
    }

    private static final byte[] ZEROS = new byte[64 << 10];

    private static void writeZeros(OutputStream out, long length) throws IOException {
        for (long left = length; left > 0; left -= ZEROS.length) {
            out.write(ZEROS, 0, (int) Math.min(ZEROS.length, left));
        }
    }

    /** The name of the entry {@code ordinal}'s bytes in the scratch. */
    static String streamedName(long ordinal) {
        return Long.toString(ordinal);
    }

    /** Where the index pass leaves the bytes called {@code name} (in a scratch directory made now if need be). */
    Path spillFile(String name) throws IOException {
        return scratch().resolve(name);
    }

    /**
     * Copies the bytes the index pass left under {@code name} to {@code out} and forgets them
     * (the store keeps them from now on); false if there are none (handed over already).
     */
    boolean handOver(String name, OutputStream out) throws IOException {
        Path spilled = scratch == null ? null : scratch.resolve(name);
        if (spilled == null || !Files.exists(spilled)) {
            return false;
        }
        try {
            try (InputStream in = Files.newInputStream(spilled)) {
                copy(in, out, Files.size(spilled));
            }
            Files.delete(spilled); // handed over: the store keeps it from now on
            return true;
        } catch (java.nio.file.NoSuchFileException handedOverMeanwhile) {
            return false; // another request took it first
        }
    }

    /** A sparse entry kept for later with its holes left holes: a mostly empty disk image takes no scratch space. */
    void spillSparse(TarArchiveInputStream tar, TarArchiveEntry entry, Path file) throws IOException {
        try (RandomAccessFile spilled = new RandomAccessFile(file.toFile(), "rw")) {
            FileChannel channel = spilled.getChannel();
            long written = expand(tar, entry, Channels.newOutputStream(channel),
                    length -> channel.position(channel.position() + length));
            spilled.setLength(written);
        }
    }

    /**
     * Where the header scan keeps the windows it fetches. Nothing for a local file (read where it
     * lies anyway), nor for a second scan, whose windows could overlap the first's.
     */
    private synchronized KeptRanges keep() throws IOException {
        if (kept != null || reader.store() instanceof LocalObjectStore) {
            return null;
        }
        kept = new KeptRanges(reader, object, scratch().resolve("scanned"));
        return kept;
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
        if (kept != null) {
            kept.close();
        }
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
