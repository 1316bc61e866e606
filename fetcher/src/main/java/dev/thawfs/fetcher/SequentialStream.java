package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * An object read front to back in windows of ranged requests, knowing its position. Lets a tar
 * header scan pass over entry data without fetching it: commons-compress skips an entry by
 * reading it (into a buffer it throws away), so the scan declares the data it will not use with
 * {@link #discardUpTo}, and reads below that point return at once, fetching and copying nothing.
 *
 * <p>Reading ahead, the windows after the one being read are fetched in parallel on the reader's
 * fetch threads, at most {@code ahead} of them, the next one asked for only as the reader moves
 * on: memory stays bounded, and a slow consumer (a decompressor) holds the fetches back.
 */
final class SequentialStream extends BlockInputStream {
    /** Receives every window the stream fetches, as its fetch starts: a scan keeps what it had to fetch anyway. */
    interface Keeper {
        void keep(long offset, int length, CompletableFuture<byte[]> window);
    }

    private record Window(long start, int length, CompletableFuture<byte[]> content) {
        long end() {
            return start + length;
        }
    }

    private final RangeReader reader;
    private final ObjectInfo object;
    private final int windowSize;
    private final long end;
    private final int ahead;
    /** Read ahead from the first window on; otherwise only once the reader goes on past the first window. */
    private final boolean aheadFromStart;
    private final Keeper keeper;
    /** The windows fetched or being fetched from the current one on, contiguous; the first holds the position. */
    private final Deque<Window> chain = new ArrayDeque<>();
    private long position;
    private byte[] window = new byte[0];
    private long windowStart;
    private long discardEnd;
    /** Where the last window fetched ends. */
    private long fetchedEnd;

    SequentialStream(RangeReader reader, ObjectInfo object, int windowSize) {
        this(reader, object, windowSize, 0, object.size());
    }

    /** The bytes from {@code start} to {@code end} only, a window at a time. */
    SequentialStream(RangeReader reader, ObjectInfo object, int windowSize, long start, long end) {
        this(reader, object, windowSize, start, end, 0, true, null);
    }

    private SequentialStream(RangeReader reader, ObjectInfo object, int windowSize, long start, long end, int ahead,
            boolean aheadFromStart, Keeper keeper) {
        this.reader = reader;
        this.object = object;
        this.windowSize = windowSize;
        this.position = start;
        this.windowStart = start;
        this.fetchedEnd = start;
        this.end = end;
        this.ahead = ahead;
        this.aheadFromStart = aheadFromStart;
        this.keeper = keeper;
    }

    /** The bytes from {@code start} to {@code end} in the reader's parts, as many in flight as it fetches a range with. */
    static SequentialStream inParts(RangeReader reader, ObjectInfo object, long start, long end) {
        RangeReader.Parallelism parallelism = reader.parallelism();
        return new SequentialStream(reader, object, parallelism.partSize(), start, end, parallelism.parts() - 1, true,
                null);
    }

    /**
     * The whole object in {@code windowSize} windows for a scan that passes over most of it: it
     * reads ahead (as many windows as the reader has parts in flight) while the scan goes through
     * window after window, and every window fetched goes to {@code keeper} (none if null).
     */
    static SequentialStream scanning(RangeReader reader, ObjectInfo object, int windowSize, Keeper keeper) {
        return new SequentialStream(reader, object, windowSize, 0, object.size(), reader.parallelism().parts() - 1,
                false, keeper);
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
        int from = windowAt();
        int n = Math.min(length, window.length - from);
        System.arraycopy(window, from, buffer, offset, n);
        position += n;
        return n;
    }

    /** Writes the windows as they come, without copying them through a buffer. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        long transferred = 0;
        while (position < end) {
            if (position < discardEnd) {
                transferred += discardEnd - position;
                position = discardEnd;
                continue;
            }
            int from = windowAt();
            out.write(window, from, window.length - from);
            transferred += window.length - from;
            position += window.length - from;
        }
        return transferred;
    }

    /**
     * Makes the window hold the position (fetching it if need be); returns where the position is
     * in it. A position less than a window past what was fetched is read onward to, the bytes
     * before it fetched too (a scan going through small entries then holds all of them); one
     * further on is a jump, after which reading ahead waits until the reader goes on again.
     */
    private int windowAt() throws IOException {
        if (position < windowStart || position >= windowStart + window.length) {
            while (!chain.isEmpty() && chain.peekFirst().end() <= position) {
                dropped(chain.removeFirst());
            }
            boolean onward = !chain.isEmpty();
            Window waitedFor = null;
            if (chain.isEmpty()) {
                onward = window.length > 0 ? position < fetchedEnd + windowSize : aheadFromStart;
                waitedFor = window(onward ? fetchedEnd : position, new CompletableFuture<>());
                chain.add(waitedFor);
            }
            while (onward && chain.size() <= ahead && fetchedEnd < end) {
                chain.add(window(fetchedEnd, reader.readAhead(object, fetchedEnd, length(fetchedEnd))));
            }
            if (waitedFor != null) { // fetched here, once the windows after it are on their way
                try {
                    waitedFor.content().complete(reader.read(object, waitedFor.start(), waitedFor.length()));
                } catch (IOException | RuntimeException e) {
                    waitedFor.content().completeExceptionally(e);
                }
            }
            Window current = chain.peekFirst();
            window = await(current.content());
            windowStart = current.start();
        }
        return (int) (position - windowStart);
    }

    private int length(long start) {
        return (int) Math.min(windowSize, end - start);
    }

    private Window window(long start, CompletableFuture<byte[]> content) {
        fetchedEnd = start + length(start);
        if (keeper != null) {
            keeper.keep(start, length(start), content);
        }
        return new Window(start, length(start), content);
    }

    private byte[] await(CompletableFuture<byte[]> content) throws IOException {
        try {
            return content.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while fetching " + reader.store().uri(object.key()));
        }
    }

    /** A window passed over: not fetched yet, it need not be, unless a keeper wants it. */
    private void dropped(Window passed) {
        if (keeper == null) {
            passed.content().cancel(false);
        }
    }

    /** Gives up the windows fetched ahead that were not read. */
    @Override
    public void close() {
        chain.forEach(this::dropped);
        chain.clear();
    }
}
