package dev.thawfs.fetcher;

import java.io.IOException;

/**
 * An object read front to back in windows of ranged requests, knowing its position. Lets a tar
 * header scan pass over entry data without fetching it: commons-compress skips an entry by
 * reading it (into a buffer it throws away), so the scan declares the data it will not use with
 * {@link #discardUpTo}, and reads below that point return at once, fetching and copying nothing.
 */
final class SequentialStream extends BlockInputStream {
    private final RangeReader reader;
    private final ObjectInfo object;
    private final int windowSize;
    private final long end;
    private long position;
    private byte[] window = new byte[0];
    private long windowStart;
    private long discardEnd;

    SequentialStream(RangeReader reader, ObjectInfo object, int windowSize) {
        this(reader, object, windowSize, 0, object.size());
    }

    /** The bytes from {@code start} to {@code end} only. */
    SequentialStream(RangeReader reader, ObjectInfo object, int windowSize, long start, long end) {
        this.reader = reader;
        this.object = object;
        this.windowSize = windowSize;
        this.position = start;
        this.end = end;
    }

    long position() {
        return position;
    }

    /** The bytes from the position up to {@code discarded} are going to be skipped: read them as nothing. */
    void discardUpTo(long discarded) {
        discardEnd = Math.min(discarded, end);
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        if (position >= end) {
            return -1;
        }
        if (position < discardEnd) {
            int n = (int) Math.min(length, discardEnd - position);
            position += n;
            return n;
        }
        if (position < windowStart || position >= windowStart + window.length) {
            window = reader.read(object, position, (int) Math.min(windowSize, end - position));
            windowStart = position;
        }
        int from = (int) (position - windowStart);
        int n = Math.min(length, window.length - from);
        System.arraycopy(window, from, buffer, offset, n);
        position += n;
        return n;
    }
}
