package dev.thawfs.fetcher;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * A tar.gz's seek index (as zran and SOCI's ztoc do it): checkpoints where inflation can resume,
 * each with the 32 KiB of output before it, and every tar entry with where its data lies in the
 * decompressed stream. Bound to one version of the archive (its size and identity) and to itself
 * (a SHA-256 of its body), so an index of another version, or a damaged one, is refused whole.
 *
 * <p>Layout: magic, version, SHA-256 of the body, body: archive size, identity, spacing,
 * checkpoints (input offset, pending bits, output offset, deflated window), entries (deflated).
 */
final class SeekIndex {
    /** Published beside the archive: {@code KEY.thawfs-index}. */
    static final String SUFFIX = ".thawfs-index";

    private static final byte[] MAGIC = "thawfs seek index\n".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int DIGEST_BYTES = 32;

    /**
     * A point to resume inflation at: {@code bits} of the byte before input offset {@code in}
     * start its first block; the output there is {@code out} bytes in.
     */
    record Checkpoint(long in, int bits, long out, byte[] deflatedWindow) {
        /** The first byte to fetch to resume here. */
        long fetchFrom() {
            return bits > 0 ? in - 1 : in;
        }
    }

    /** Thrown for an index that is damaged, of another format version, or of another archive. */
    static final class Unusable extends IOException {
        Unusable(String reason) {
            super(reason);
        }
    }

    final long archiveSize;
    final String archiveIdentity;
    final long spacing;
    final List<Checkpoint> checkpoints;
    final int entryCount;
    private final byte[] entries;

    SeekIndex(long archiveSize, String archiveIdentity, long spacing, List<Checkpoint> checkpoints, int entryCount,
            byte[] entries) {
        this.archiveSize = archiveSize;
        this.archiveIdentity = archiveIdentity;
        this.spacing = spacing;
        this.checkpoints = List.copyOf(checkpoints);
        this.entryCount = entryCount;
        this.entries = entries;
    }

    /** Refuses the index unless it was built from this version of the archive. */
    void checkBuiltFrom(ObjectInfo object) throws Unusable {
        if (archiveSize != object.size() || !archiveIdentity.equals(object.identity())) {
            throw new Unusable("built for another version of the archive (" + archiveSize + " bytes, "
                    + archiveIdentity + "; the archive is " + object.size() + " bytes, " + object.identity() + ")");
        }
    }

    /** The number of the last checkpoint at or before output offset {@code out}. */
    int checkpointBefore(long out) {
        int i = search(out);
        return i >= 0 ? i : Math.max(0, -i - 2);
    }

    /** The number of the first checkpoint at or after output offset {@code out}: the input up to it produces that output. */
    int checkpointAfter(long out) {
        int i = search(out);
        return i >= 0 ? i : -i - 1;
    }

    /** Where the input of the segment from checkpoint {@code i} to the next (or the archive's end) ends. */
    long segmentEnd(int i) {
        return i + 1 < checkpoints.size() ? checkpoints.get(i + 1).in() : archiveSize;
    }

    private int search(long out) {
        int low = 0;
        int high = checkpoints.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long at = checkpoints.get(mid).out();
            if (at < out) {
                low = mid + 1;
            } else if (at > out) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -low - 1;
    }

    byte[] window(Checkpoint checkpoint) throws Unusable {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(checkpoint.deflatedWindow());
            byte[] window = new byte[NativeInflater.WINDOW_SIZE + 1]; // room to see one byte too many
            int n = 0;
            while (!inflater.finished() && n <= NativeInflater.WINDOW_SIZE) {
                int got = inflater.inflate(window, n, window.length - n);
                n += got;
                if (got == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new Unusable("a checkpoint's window is cut short");
                }
            }
            if (n > NativeInflater.WINDOW_SIZE) {
                throw new Unusable("a checkpoint's window is longer than 32 KiB");
            }
            return Arrays.copyOf(window, n);
        } catch (DataFormatException e) {
            throw new Unusable("a checkpoint's window is damaged (" + e.getMessage() + ")");
        } finally {
            inflater.end();
        }
    }

    static byte[] compressWindow(byte[] window) {
        Deflater deflater = new Deflater(Deflater.BEST_SPEED);
        try {
            deflater.setInput(window);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(window.length / 2);
            byte[] buffer = new byte[16 << 10];
            while (!deflater.finished()) {
                out.write(buffer, 0, deflater.deflate(buffer));
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /** The entries, as the index pass read them (names are checked again: the index is input too). */
    Iterator<IndexEntry> entries(String uri, ArchiveLimits limits) {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(entries));
        return new EntryIterator(limits.onBadEntry()) {
            private int read;

            @Override
            IndexEntry read() throws IOException {
                if (read == entryCount) {
                    return null;
                }
                read++;
                IndexEntry entry = readEntry(in, uri);
                if (entry.size() > limits.maxEntryBytes()) {
                    throw new BadEntryException(uri, entry.path(), "declares " + entry.size() + " bytes, over"
                            + " limits.max-entry-size (" + limits.maxEntryBytes() + "): raise it if the archive is trusted");
                }
                return entry;
            }
        };
    }

    /** Writes the entries' section: {@link #entries} reads it back. */
    static final class EntryWriter {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final DataOutputStream out = new DataOutputStream(bytes);
        private int count;

        void add(IndexEntry entry) throws IOException {
            writeString(out, entry.path());
            out.writeByte(entry.type().ordinal());
            out.writeInt(entry.mode());
            out.writeLong(entry.size());
            out.writeLong(entry.mtimeSec());
            out.writeInt(entry.mtimeNsec());
            writeString(out, entry.linkTarget());
            writeString(out, entry.hardLinkTarget());
            writeBytes(out, entry.locator());
            count++;
        }

        SeekIndex finish(ObjectInfo object, long spacing, List<Checkpoint> checkpoints) {
            return new SeekIndex(object.size(), object.identity(), spacing, checkpoints, count, bytes.toByteArray());
        }
    }

    private static IndexEntry readEntry(DataInputStream in, String uri) throws IOException {
        String path = readString(in);
        int typeOrdinal = in.readUnsignedByte();
        EntryType[] types = EntryType.values();
        if (path == null || typeOrdinal >= types.length) {
            throw new Unusable("an entry without a name or of no known type");
        }
        EntryType type = types[typeOrdinal];
        int mode = in.readInt() & 07777;
        long size = in.readLong();
        long mtimeSec = in.readLong();
        int mtimeNsec = in.readInt();
        String link = readString(in);
        String hardLink = readString(in);
        byte[] locator = readBytes(in);
        if (size < 0) {
            throw new Unusable(path + " has a negative size");
        }
        return new IndexEntry(EntryPaths.normalize(uri, path, type == EntryType.DIRECTORY), type, mode, size, mtimeSec,
                mtimeNsec, link, hardLink == null ? null : EntryPaths.normalize(uri, hardLink, false), locator);
    }

    byte[] encode() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(body);
        out.writeLong(archiveSize);
        writeString(out, archiveIdentity);
        out.writeLong(spacing);
        out.writeInt(checkpoints.size());
        for (Checkpoint checkpoint : checkpoints) {
            out.writeLong(checkpoint.in());
            out.writeByte(checkpoint.bits());
            out.writeLong(checkpoint.out());
            writeBytes(out, checkpoint.deflatedWindow());
        }
        out.writeInt(entryCount);
        ByteArrayOutputStream deflated = new ByteArrayOutputStream();
        try (DeflaterOutputStream entriesOut = new DeflaterOutputStream(deflated)) {
            entriesOut.write(entries);
        }
        writeBytes(out, deflated.toByteArray());
        out.flush();
        byte[] bodyBytes = body.toByteArray();
        ByteArrayOutputStream whole = new ByteArrayOutputStream(bodyBytes.length + 64);
        DataOutputStream header = new DataOutputStream(whole);
        header.write(MAGIC);
        header.writeInt(VERSION);
        header.write(sha256(bodyBytes, 0, bodyBytes.length));
        header.write(bodyBytes);
        header.flush();
        return whole.toByteArray();
    }

    /** The index in {@code bytes}; {@link Unusable} if they are not a whole, intact seek index of this version. */
    static SeekIndex decode(byte[] bytes) throws Unusable {
        int bodyStart = MAGIC.length + 4 + DIGEST_BYTES;
        if (bytes.length < bodyStart || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new Unusable("not a thawfs seek index");
        }
        int version = ((bytes[MAGIC.length] & 0xff) << 24) | ((bytes[MAGIC.length + 1] & 0xff) << 16)
                | ((bytes[MAGIC.length + 2] & 0xff) << 8) | (bytes[MAGIC.length + 3] & 0xff);
        if (version != VERSION) {
            throw new Unusable("format version " + version + ", this thawfs reads " + VERSION);
        }
        byte[] digest = sha256(bytes, bodyStart, bytes.length - bodyStart);
        if (!Arrays.equals(bytes, MAGIC.length + 4, bodyStart, digest, 0, DIGEST_BYTES)) {
            throw new Unusable("damaged or truncated (its digest does not match)");
        }
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, bodyStart, bytes.length - bodyStart));
            long size = in.readLong();
            String identity = readString(in);
            long spacing = in.readLong();
            int count = in.readInt();
            List<Checkpoint> checkpoints = new ArrayList<>(Math.min(count, 1 << 16));
            for (int i = 0; i < count; i++) {
                Checkpoint checkpoint = new Checkpoint(in.readLong(), in.readUnsignedByte(), in.readLong(), readBytes(in));
                boolean ordered = checkpoints.isEmpty() || (checkpoint.in() > checkpoints.get(i - 1).in()
                        && checkpoint.out() >= checkpoints.get(i - 1).out());
                if (checkpoint.bits() > 7 || checkpoint.fetchFrom() < 0 || checkpoint.in() > size
                        || checkpoint.deflatedWindow() == null || !ordered) {
                    throw new Unusable("checkpoint " + i + " is out of place");
                }
                checkpoints.add(checkpoint);
            }
            if (checkpoints.isEmpty() || checkpoints.get(0).out() != 0) {
                throw new Unusable("no checkpoint at the start");
            }
            int entryCount = in.readInt();
            byte[] deflated = readBytes(in);
            if (deflated == null || in.available() != 0) {
                throw new Unusable("its entries are missing, or something follows them");
            }
            byte[] entries = new InflaterInputStream(new ByteArrayInputStream(deflated)).readAllBytes();
            return new SeekIndex(size, identity, spacing, Collections.unmodifiableList(checkpoints), entryCount, entries);
        } catch (Unusable e) {
            throw e;
        } catch (IOException e) {
            throw new Unusable("unreadable (" + e + ")");
        }
    }

    private static byte[] sha256(byte[] bytes, int offset, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, offset, length);
            return digest.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        writeBytes(out, text == null ? null : text.getBytes(StandardCharsets.UTF_8));
    }

    private static String readString(DataInputStream in) throws IOException {
        byte[] bytes = readBytes(in);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void writeBytes(DataOutputStream out, byte[] bytes) throws IOException {
        out.writeInt(bytes == null ? -1 : bytes.length);
        if (bytes != null) {
            out.write(bytes);
        }
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < -1 || length > in.available()) {
            throw new Unusable("a field runs past the end");
        }
        return length < 0 ? null : in.readNBytes(length);
    }
}
