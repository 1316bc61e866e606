package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;

/**
 * An object read front to back in windows of ranged requests, knowing its position; a skip past
 * the current window costs nothing until the next read. Lets a tar header scan skip entry data
 * without fetching it.
 */
final class SequentialStream extends InputStream {
    private final RangeReader reader;
    private final ObjectInfo object;
    private final int windowSize;
    private long position;
    private byte[] window = new byte[0];
    private long windowStart;

    SequentialStream(RangeReader reader, ObjectInfo object, int windowSize) {
        this.reader = reader;
        this.object = object;
        this.windowSize = windowSize;
    }

    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (position >= object.size()) {
            return -1;
        }
        if (position < windowStart || position >= windowStart + window.length) {
            window = reader.read(object, position, (int) Math.min(windowSize, object.size() - position));
            windowStart = position;
        }
        int from = (int) (position - windowStart);
        int n = Math.min(length, window.length - from);
        System.arraycopy(window, from, buffer, offset, n);
        position += n;
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, object.size() - position));
        position += skipped;
        return skipped;
    }
}
