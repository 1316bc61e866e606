package dev.thawfs.fetcher;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The compressed bytes of a zstd archive one frame at a time: each frame's bytes, found by its
 * header and block headers (RFC 8878), end at its end, so a decoder over this stream decodes that
 * frame alone and the next can be started where it lies. Skippable frames (a seek table, say)
 * are passed over.
 */
final class ZstdFrameStream extends BlockInputStream {
    private static final int MAGIC = 0xFD2FB528;
    private static final int SKIPPABLE_MASK = 0xFFFFFFF0;
    private static final int SKIPPABLE = 0x184D2A50;
    private static final int BLOCK_HEADER = 3;
    private static final int CHECKSUM = 4;

    private final InputStream compressed;
    private final String uri;
    /** Where the next byte of {@code compressed} lies in the archive. */
    private long position;
    /** Header bytes read to parse them, still to be handed out. */
    private final byte[] pending = new byte[32];
    private int pendingAt;
    private int pendingEnd;
    /** Bytes of the current piece (block content) left to hand out as they come. */
    private long passLeft;
    private long frameStart;
    private boolean inFrame;
    private boolean lastBlock;
    private boolean checksum;

    ZstdFrameStream(InputStream compressed, long base, String uri) {
        this.compressed = compressed;
        this.position = base;
        this.uri = uri;
    }

    /** Where the frame {@link #nextFrame} moved to starts in the archive. */
    long frameStart() {
        return frameStart;
    }

    /**
     * Moves to the next frame, past any skippable ones, its first bytes pending; false at the end
     * of the archive. The frame before must have been read to its end.
     */
    boolean nextFrame() throws IOException {
        if (inFrame) {
            throw new IllegalStateException("the frame before is not read to its end");
        }
        while (true) {
            int first = compressed.read();
            if (first < 0) {
                return false;
            }
            frameStart = position++;
            pendingAt = 0;
            pendingEnd = 0;
            pending[pendingEnd++] = (byte) first;
            fill(4);
            int magic = littleEndian(0, 4);
            if ((magic & SKIPPABLE_MASK) == SKIPPABLE) {
                fill(8);
                passOver(littleEndian(4, 4) & 0xFFFFFFFFL);
                continue;
            }
            if (magic != MAGIC) {
                throw new BadArtifactException(uri, null, "no zstd frame at " + (position - pendingEnd)
                        + " (magic " + Integer.toHexString(magic) + ")");
            }
            fill(5);
            int descriptor = pending[4] & 0xff;
            int contentSizeFlag = descriptor >>> 6;
            boolean singleSegment = (descriptor & 0x20) != 0;
            checksum = (descriptor & 0x04) != 0;
            int dictionaryBytes = new int[] {0, 1, 2, 4}[descriptor & 0x03];
            int contentSizeBytes = new int[] {singleSegment ? 1 : 0, 2, 4, 8}[contentSizeFlag];
            fill(5 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes);
            inFrame = true;
            lastBlock = false;
            return true;
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (pendingAt == pendingEnd && passLeft == 0) {
            if (!inFrame) {
                return -1;
            }
            nextPiece();
        }
        if (pendingAt < pendingEnd) {
            int n = Math.min(length, pendingEnd - pendingAt);
            System.arraycopy(pending, pendingAt, buffer, offset, n);
            pendingAt += n;
            return n;
        }
        int n = compressed.read(buffer, offset, (int) Math.min(length, passLeft));
        if (n < 0) {
            throw truncated();
        }
        position += n;
        passLeft -= n;
        return n;
    }

    /** The next block's header (then its content), or the frame's checksum, or the frame's end. */
    private void nextPiece() throws IOException {
        pendingAt = 0;
        pendingEnd = 0;
        if (lastBlock) {
            inFrame = false;
            if (checksum) {
                fill(CHECKSUM);
            }
            return;
        }
        fill(BLOCK_HEADER);
        int header = littleEndian(0, BLOCK_HEADER);
        lastBlock = (header & 1) != 0;
        int type = (header >>> 1) & 3;
        int size = header >>> 3;
        if (type == 3) {
            throw new BadArtifactException(uri, null, "a zstd block of a reserved type at " + (position - BLOCK_HEADER));
        }
        passLeft = type == 1 ? 1 : size; // an RLE block stores one byte
    }

    /** Reads into {@link #pending} up to {@code end} bytes in all. */
    private void fill(int end) throws IOException {
        while (pendingEnd < end) {
            int n = compressed.read(pending, pendingEnd, end - pendingEnd);
            if (n < 0) {
                throw truncated();
            }
            pendingEnd += n;
            position += n;
        }
    }

    private void passOver(long bytes) throws IOException {
        try {
            compressed.skipNBytes(bytes);
        } catch (EOFException e) {
            throw truncated();
        }
        position += bytes;
    }

    private int littleEndian(int from, int bytes) {
        int value = 0;
        for (int i = bytes - 1; i >= 0; i--) {
            value = (value << 8) | (pending[from + i] & 0xff);
        }
        return value;
    }

    private BadArtifactException truncated() {
        return new BadArtifactException(uri, null, "the zstd stream ends within a frame (truncated?)");
    }

    /** Nothing: a frame's decoder closes this at the frame's end, and the next frame follows. */
    @Override
    public void close() {
    }
}
