package dev.thawfs.fetcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipException;
import org.apache.commons.compress.archivers.zip.ExtraFieldUtils;
import org.apache.commons.compress.archivers.zip.UnicodePathExtraField;
import org.apache.commons.compress.archivers.zip.Zip64ExtendedInformationExtraField;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipEncoding;
import org.apache.commons.compress.archivers.zip.ZipEncodingHelper;
import org.apache.commons.compress.archivers.zip.ZipExtraField;
import org.apache.commons.compress.archivers.zip.ZipUtil;

/**
 * A zip's central directory read as a stream of records, one at a time, so a million-entry
 * archive is indexed in the memory of one read window. commons-compress's {@code ZipFile} holds
 * every entry of the directory at once (about 480 bytes each), so only the walk from record to
 * record is ours: names, extra fields, zip64 values, times and modes are decoded by
 * commons-compress's own field classes. Data prepended to the zip (a launcher script in front of
 * an executable jar) is allowed for: offsets are shifted by it, as the JDK's zip reader does.
 */
final class CentralDirectory {
    private static final int END_SIGNATURE = 0x06054b50;
    private static final int END_SIZE = 22;
    private static final int ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
    private static final int ZIP64_LOCATOR_SIZE = 20;
    private static final int ZIP64_END_SIGNATURE = 0x06064b50;
    private static final int ZIP64_END_SIZE = 56;
    private static final int RECORD_SIGNATURE = 0x02014b50;
    private static final int RECORD_SIZE = 46;
    private static final long MAGIC_32 = 0xFFFFFFFFL;
    private static final int MAGIC_16 = 0xFFFF;
    private static final int UNIX = 3;
    private static final int UTF8_FLAG = 1 << 11;
    /** The end record with the longest comment and the zip64 records before it; small zips' whole directory. */
    private static final int TAIL = END_SIZE + 0xFFFF + ZIP64_LOCATOR_SIZE + ZIP64_END_SIZE;
    private static final int WINDOW = 1 << 20;
    private static final ZipEncoding UTF8 = ZipEncodingHelper.getZipEncoding(StandardCharsets.UTF_8);

    /** One central directory record: the entry as commons-compress describes it, and where its local header is. */
    record Record(ZipArchiveEntry entry, int rawNameLength, long localHeaderOffset) {
    }

    private final String uri;
    private final InputStream in;
    private final long entries;
    private final long base;
    private final byte[] fixed = new byte[RECORD_SIZE];
    private final ByteBuffer fields = ByteBuffer.wrap(fixed).order(ByteOrder.LITTLE_ENDIAN);
    private long read;

    private CentralDirectory(String uri, InputStream in, long entries, long base) {
        this.uri = uri;
        this.in = in;
        this.entries = entries;
        this.base = base;
    }

    /** Finds the directory from the object's tail: one request for most zips, and the records follow in windows. */
    static CentralDirectory open(RangeReader reader, ObjectInfo object, String uri) throws IOException {
        long tailStart = Math.max(0, object.size() - TAIL);
        byte[] tail = reader.read(object, tailStart, (int) (object.size() - tailStart));
        ByteBuffer b = ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN);
        int end = findEnd(b);
        if (end < 0) {
            throw new BadArtifactException(uri, null, "not a readable zip (no end of central directory record: "
                    + "truncated, or not a zip)");
        }
        long entries = Short.toUnsignedInt(b.getShort(end + 10));
        long size = Integer.toUnsignedLong(b.getInt(end + 12));
        long offset = Integer.toUnsignedLong(b.getInt(end + 16));
        long directoryEnd = tailStart + end;
        int locator = end - ZIP64_LOCATOR_SIZE;
        if (locator >= 0 && b.getInt(locator) == ZIP64_LOCATOR_SIGNATURE) {
            long zip64End = b.getLong(locator + 8);
            ByteBuffer z = zip64End >= tailStart && zip64End + ZIP64_END_SIZE <= tailStart + tail.length
                    ? b.duplicate().order(ByteOrder.LITTLE_ENDIAN).position((int) (zip64End - tailStart)).slice()
                            .order(ByteOrder.LITTLE_ENDIAN)
                    : ByteBuffer.wrap(reader.read(object, zip64End, ZIP64_END_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
            if (z.getInt(0) != ZIP64_END_SIGNATURE) {
                throw new BadArtifactException(uri, null, "not a readable zip (the zip64 end record is not where its "
                        + "locator says, offset " + zip64End + ")");
            }
            entries = z.getLong(32);
            size = z.getLong(40);
            offset = z.getLong(48);
            directoryEnd = zip64End;
        }
        long start = directoryEnd - size;
        if (size < 0 || start < 0 || offset < 0 || offset > start || entries < 0) {
            throw new BadArtifactException(uri, null, "not a readable zip (its end record puts the central directory at "
                    + offset + ", " + size + " bytes, in a " + object.size() + "-byte object: truncated?)");
        }
        InputStream in = start >= tailStart
                ? new ByteArrayInputStream(tail, (int) (start - tailStart), (int) size)
                : new SequenceInputStream(new SequentialStream(reader, object, WINDOW, start, tailStart),
                        new ByteArrayInputStream(tail, 0, (int) (directoryEnd - tailStart)));
        return new CentralDirectory(uri, in, entries, start - offset);
    }

    /** The end record's position in the tail, searched backwards past a comment; -1 if there is none. */
    private static int findEnd(ByteBuffer tail) {
        for (int at = tail.limit() - END_SIZE; at >= 0; at--) {
            if (tail.getInt(at) == END_SIGNATURE && at + END_SIZE + Short.toUnsignedInt(tail.getShort(at + 20)) <= tail.limit()) {
                return at;
            }
        }
        return -1;
    }

    /** How many records the end record announces. */
    long entries() {
        return entries;
    }

    boolean hasNext() {
        return read < entries;
    }

    Record next() throws IOException {
        readFully(fixed, "record");
        if (fields.getInt(0) != RECORD_SIGNATURE) {
            throw new BadArtifactException(uri, null, "central directory record " + read + " is corrupt (no signature)");
        }
        int versionMadeBy = Short.toUnsignedInt(fields.getShort(4));
        int flags = Short.toUnsignedInt(fields.getShort(8));
        byte[] rawName = readFully(new byte[Short.toUnsignedInt(fields.getShort(28))], "name");
        byte[] extra = readFully(new byte[Short.toUnsignedInt(fields.getShort(30))], "extra field");
        in.skipNBytes(Short.toUnsignedInt(fields.getShort(32)));

        ZipExtraField[] extraFields = parse(extra);
        ZipArchiveEntry entry = new ZipArchiveEntry(name(rawName, flags, extraFields));
        entry.setMethod(Short.toUnsignedInt(fields.getShort(10)));
        entry.setTime(ZipUtil.dosToJavaTime(Integer.toUnsignedLong(fields.getInt(12))));
        entry.setCrc(Integer.toUnsignedLong(fields.getInt(16)));
        long compressed = Integer.toUnsignedLong(fields.getInt(20));
        long size = Integer.toUnsignedLong(fields.getInt(24));
        long localHeader = Integer.toUnsignedLong(fields.getInt(42));
        long external = Integer.toUnsignedLong(fields.getInt(38));
        if (versionMadeBy >> 8 == UNIX) {
            entry.setUnixMode((int) (external >>> 16));
        } else {
            entry.setExternalAttributes(external);
        }
        entry.setExtraFields(extraFields); // an extended timestamp among them replaces the DOS time
        Zip64ExtendedInformationExtraField zip64 = find(extraFields, Zip64ExtendedInformationExtraField.class);
        boolean disk = Short.toUnsignedInt(fields.getShort(34)) == MAGIC_16;
        if (size == MAGIC_32 || compressed == MAGIC_32 || localHeader == MAGIC_32 || disk) {
            if (zip64 == null) {
                throw new BadArtifactException(uri, entry.getName(), "zip64 sizes without a zip64 extra field (corrupt)");
            }
            try {
                zip64.reparseCentralDirectoryData(size == MAGIC_32, compressed == MAGIC_32, localHeader == MAGIC_32, disk);
            } catch (ZipException e) {
                throw new BadArtifactException(uri, "entry " + entry.getName() + ": bad zip64 extra field", e);
            }
            size = size == MAGIC_32 ? zip64.getSize().getLongValue() : size;
            compressed = compressed == MAGIC_32 ? zip64.getCompressedSize().getLongValue() : compressed;
            localHeader = localHeader == MAGIC_32 ? zip64.getRelativeHeaderOffset().getLongValue() : localHeader;
        }
        entry.setSize(size);
        entry.setCompressedSize(compressed);
        read++;
        return new Record(entry, rawName.length, base + localHeader);
    }

    private ZipExtraField[] parse(byte[] extra) throws BadArtifactException {
        try {
            return ExtraFieldUtils.parse(extra, false, ZipArchiveEntry.ExtraFieldParsingMode.BEST_EFFORT);
        } catch (ZipException e) {
            throw new BadArtifactException(uri, "central directory record " + read + ": bad extra field", e);
        }
    }

    /** UTF-8 (invalid bytes replaced), unless an Info-ZIP Unicode path field matching the raw name says otherwise. */
    private static String name(byte[] raw, int flags, ZipExtraField[] extraFields) throws IOException {
        UnicodePathExtraField unicode = (flags & UTF8_FLAG) == 0 ? find(extraFields, UnicodePathExtraField.class) : null;
        if (unicode != null) {
            CRC32 crc = new CRC32();
            crc.update(raw);
            if (crc.getValue() == unicode.getNameCRC32()) {
                return new String(unicode.getUnicodeName(), StandardCharsets.UTF_8);
            }
        }
        return UTF8.decode(raw);
    }

    private static <T extends ZipExtraField> T find(ZipExtraField[] fields, Class<T> type) {
        for (ZipExtraField field : fields) {
            if (type.isInstance(field)) {
                return type.cast(field);
            }
        }
        return null;
    }

    private byte[] readFully(byte[] into, String what) throws IOException {
        if (in.readNBytes(into, 0, into.length) != into.length) {
            throw new BadArtifactException(uri, null, "the central directory ends inside record " + read
                    + "'s " + what + " (truncated or corrupt)");
        }
        return into;
    }
}
