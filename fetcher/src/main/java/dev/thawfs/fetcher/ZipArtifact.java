package dev.thawfs.fetcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;

/**
 * A zip, jar, wheel or war: the index is the central directory, found from the object's tail and
 * streamed record by record ({@link CentralDirectory}); one entry costs its local header and its
 * data, inflated and checked against its CRC-32.
 */
final class ZipArtifact extends ObjectArtifact {
    private static final int LOCAL_HEADER = 30;
    private static final int LOCAL_HEADER_SIGNATURE = 0x04034b50;
    private static final int STORED = 0;
    private static final int DEFLATED = 8;
    /** Entries up to this compressed size are fetched with their local header in one request. */
    private static final int SMALL_ENTRY = 4 << 20;
    /** Room for the local header's extra field, whose length only the local header itself gives. */
    private static final int EXTRA_ALLOWANCE = 256;

    private final Spans spans;

    ZipArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits) {
        super(reader, object, uri, limits);
        this.spans = new Spans(reader, object);
    }

    @Override
    public Iterator<IndexEntry> index() throws IOException {
        CentralDirectory directory = CentralDirectory.open(reader, object, uri);
        if (directory.entries() > limits.maxEntries()) {
            throw new BadArtifactException(uri, null, "more than " + limits.maxEntries() + " entries ("
                    + directory.entries() + ")");
        }
        return new EntryIterator(limits.onBadEntry()) {
            @Override
            IndexEntry read() throws IOException {
                return directory.hasNext() ? entry(directory.next()) : null;
            }
        };
    }

    private IndexEntry entry(CentralDirectory.Record record) throws IOException {
        ZipArchiveEntry entry = record.entry();
        String path = EntryPaths.normalize(uri, entry.getName(), entry.isDirectory());
        long mtime = entry.getLastModifiedTime() == null ? 0 : entry.getLastModifiedTime().toMillis();
        int unixMode = entry.getUnixMode() & 07777;
        if (entry.isDirectory()) {
            return new IndexEntry(path, EntryType.DIRECTORY, unixMode == 0 ? 0755 : unixMode, 0,
                    Math.floorDiv(mtime, 1000), (int) Math.floorMod(mtime, 1000) * 1_000_000, null, null, null);
        }
        long size = entry.getSize();
        long compressed = entry.getCompressedSize();
        if (size < 0 || compressed < 0) {
            throw new BadEntryException(uri, path, "no size in the central directory");
        }
        if (size > limits.maxEntryBytes()) {
            throw new BadEntryException(uri, path, "declares " + size + " bytes, over limits.max-entry-size ("
                    + limits.maxEntryBytes() + "): raise it if the archive is trusted");
        }
        if (size / Math.max(1, compressed) > limits.maxExpansionRatio()) {
            throw new BadEntryException(uri, path, "declares " + size + " bytes from " + compressed + " compressed,"
                    + " over limits.max-expansion-ratio (" + limits.maxExpansionRatio() + "), a zip bomb's sign:"
                    + " raise it if the archive is trusted");
        }
        if (entry.getMethod() != STORED && entry.getMethod() != DEFLATED) {
            throw new BadEntryException(uri, path, "compression method " + entry.getMethod()
                    + " is not supported (stored and deflated are)");
        }
        byte[] locator = Locators.allocate(Locators.ZIP, 2 + 8 + 8 + 8 + 8 + 4)
                .putShort((short) entry.getMethod()).putLong(record.localHeaderOffset()).putLong(compressed)
                .putLong(size).putLong(entry.getCrc()).putInt(record.rawNameLength()).array();
        if (entry.isUnixSymlink()) {
            ByteArrayOutputStream target = new ByteArrayOutputStream();
            extract(locator, size, target);
            return new IndexEntry(path, EntryType.SYMLINK, 0777, 0, Math.floorDiv(mtime, 1000),
                    (int) Math.floorMod(mtime, 1000) * 1_000_000, target.toString(StandardCharsets.UTF_8), null, null);
        }
        return new IndexEntry(path, EntryType.FILE, unixMode == 0 ? 0644 : unixMode, size, Math.floorDiv(mtime, 1000),
                (int) Math.floorMod(mtime, 1000) * 1_000_000, null, null, locator);
    }

    /** What a zip locator holds: where the entry's local header is, and what its data must come to. */
    private record Located(int method, long headerOffset, long compressed, long declared, long crc, int nameLength) {
        static Located decode(byte[] locator, String uri) throws BadArtifactException {
            ByteBuffer b = Locators.read(locator, Locators.ZIP, uri);
            return new Located(b.getShort(), b.getLong(), b.getLong(), b.getLong(), b.getLong(), b.getInt());
        }

        /** A small entry comes with its local header in one request: one round trip per file. */
        boolean small() {
            return compressed <= SMALL_ENTRY;
        }

        /** The bytes the first request takes: the local header, and the data too for a small entry. */
        int firstRead(long objectSize) {
            return (int) Math.min(objectSize - headerOffset,
                    LOCAL_HEADER + nameLength + (small() ? EXTRA_ALLOWANCE + compressed : 0));
        }
    }

    @Override
    public void expect(List<byte[]> locators) {
        spans.expect(locators, locator -> {
            Located entry = Located.decode(locator, uri);
            return entry.small() ? new Spans.Range(entry.headerOffset(), entry.headerOffset() + entry.firstRead(object.size()))
                    : null;
        });
    }

    @Override
    public void extract(byte[] locator, long size, OutputStream out) throws IOException {
        Located entry = Located.decode(locator, uri);
        int method = entry.method();
        long headerOffset = entry.headerOffset();
        long compressed = entry.compressed();
        int nameLength = entry.nameLength();
        int first = entry.firstRead(object.size());
        byte[] fetched = entry.small() ? spans.claim(headerOffset, first) : null;
        if (fetched == null) {
            fetched = reader.read(object, headerOffset, first);
        }
        ByteBuffer header = ByteBuffer.wrap(fetched).order(ByteOrder.LITTLE_ENDIAN);
        if (fetched.length < LOCAL_HEADER || header.getInt(0) != LOCAL_HEADER_SIGNATURE) {
            throw new BadArtifactException(uri, null, "no local file header at offset " + headerOffset + " (truncated or corrupt)");
        }
        int dataStart = LOCAL_HEADER + Short.toUnsignedInt(header.getShort(26)) + Short.toUnsignedInt(header.getShort(28));
        long dataOffset = headerOffset + dataStart;
        if (Short.toUnsignedInt(header.getShort(26)) != nameLength || dataOffset + compressed > object.size()) {
            throw new BadArtifactException(uri, null, "the local header at " + headerOffset
                    + " disagrees with the central directory (corrupt)");
        }
        CRC32 checksum = new CRC32();
        // a header that understates the size is caught as the bytes pass it, not after a bomb went off
        CountingOutputStream counted = new CountingOutputStream(new CheckedOutputStream(out, checksum), entry.declared(),
                () -> new BadArtifactException(uri, null, "entry at offset " + headerOffset + " inflates to more than"
                        + " the " + entry.declared() + " bytes it declares (corrupt, or a zip bomb): refused"));
        Inflater inflater = method == DEFLATED ? new Inflater(true) : null;
        try (OutputStream decoder = inflater == null ? new NonClosing(counted)
                : new InflaterOutputStream(new NonClosing(counted), inflater)) {
            long inHand = Math.max(0, Math.min(compressed, fetched.length - dataStart));
            if (inHand > 0) {
                decoder.write(fetched, dataStart, (int) inHand);
            }
            if (inHand < compressed) {
                reader.copy(object, dataOffset + inHand, compressed - inHand, decoder);
            }
        } catch (java.util.zip.ZipException e) {
            throw new BadArtifactException(uri, "corrupt deflate data at offset " + dataOffset, e);
        } finally {
            if (inflater != null) {
                inflater.end();
            }
        }
        if (counted.count() != entry.declared() || checksum.getValue() != entry.crc()) {
            throw new BadArtifactException(uri, null, "entry at offset " + headerOffset + " fails verification: "
                    + counted.count() + " bytes with CRC " + Long.toHexString(checksum.getValue()) + ", expected "
                    + entry.declared() + " with CRC " + Long.toHexString(entry.crc()));
        }
    }
}
