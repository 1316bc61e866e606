package dev.thawfs.fetcher;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.SeekableByteChannel;

/**
 * An object as a read-only seekable channel, for archive readers that seek (a zip's central
 * directory). Each miss fetches at least {@code readAhead} bytes, so the many small reads of a
 * directory parse cost few requests.
 */
final class RangedChannel implements SeekableByteChannel {
    private final RangeReader reader;
    private final ObjectInfo object;
    private final int readAhead;
    private long position;
    private byte[] window = new byte[0];
    private long windowStart;
    private boolean open = true;

    RangedChannel(RangeReader reader, ObjectInfo object, int readAhead) {
        this.reader = reader;
        this.object = object;
        this.readAhead = readAhead;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (position >= object.size()) {
            return -1;
        }
        if (position < windowStart || position >= windowStart + window.length) {
            // Near the end, take the whole tail: a zip reader probes backwards from the last byte.
            long start = Math.max(0, Math.min(position, object.size() - readAhead));
            int length = (int) Math.min(Math.max(readAhead, dst.remaining()), object.size() - start);
            window = reader.read(object, start, length);
            windowStart = start;
        }
        int from = (int) (position - windowStart);
        int n = Math.min(dst.remaining(), window.length - from);
        dst.put(window, from, n);
        position += n;
        return n;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public SeekableByteChannel position(long newPosition) {
        position = newPosition;
        return this;
    }

    @Override
    public long size() {
        return object.size();
    }

    @Override
    public int write(ByteBuffer src) {
        throw new NonWritableChannelException();
    }

    @Override
    public SeekableByteChannel truncate(long size) {
        throw new NonWritableChannelException();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
