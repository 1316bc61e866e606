package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Ranged reads with retries: a transient failure (5xx, throttling, a reset, a body that ends
 * early) is retried with backoff, resuming after the bytes already copied; a missing or replaced
 * object fails at once. Counts every request and byte.
 */
public final class RangeReader implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RangeReader.class.getName());

    /**
     * How a large range is fetched: as parts of {@code partSize}, {@code parts} in flight, so the
     * memory used is at most their product whatever the object's size.
     */
    public record Parallelism(int partSize, int parts) {
        public static Parallelism defaults() {
            return new Parallelism(8 << 20, 8);
        }
    }

    private final ObjectStore store;
    private final RetryPolicy retry;
    private final Parallelism parallelism;
    private final FetchCounters counters = new FetchCounters();
    private final Map<Range, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
    private ExecutorService partFetchers;

    private record Range(String key, String identity, long offset, int length) {
    }

    public RangeReader(ObjectStore store, RetryPolicy retry) {
        this(store, retry, Parallelism.defaults());
    }

    public RangeReader(ObjectStore store, RetryPolicy retry, Parallelism parallelism) {
        this.store = store;
        this.retry = retry;
        this.parallelism = parallelism;
    }

    public Parallelism parallelism() {
        return parallelism;
    }

    public ObjectStore store() {
        return store;
    }

    public FetchCounters counters() {
        return counters;
    }

    /**
     * Copies bytes [offset, offset + length) of the object to {@code out}, in order; a range of
     * several parts is fetched with parts in parallel.
     */
    public void copy(ObjectInfo object, long offset, long length, OutputStream out) throws IOException {
        if (parallelism.parts() > 1 && length >= 2L * parallelism.partSize()) {
            try (SequentialStream parts = SequentialStream.inParts(this, object, offset, offset + length)) {
                parts.transferTo(out);
            }
        } else {
            copySerially(object, offset, length, out);
        }
    }

    private synchronized ExecutorService partFetchers() {
        if (partFetchers == null) {
            partFetchers = Executors.newFixedThreadPool(parallelism.parts(), task -> {
                Thread thread = new Thread(task, "thawfs-fetch-part");
                thread.setDaemon(true);
                return thread;
            });
        }
        return partFetchers;
    }

    private void copySerially(ObjectInfo object, long offset, long length, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long done = 0;
        for (int attempt = 1; ; attempt++) {
            counters.request();
            try (InputStream in = store.read(object, offset + done, length - done)) {
                for (int n; done < length && (n = in.read(buffer, 0, (int) Math.min(buffer.length, length - done))) > 0; ) {
                    out.write(buffer, 0, n);
                    done += n;
                    counters.bytes(n);
                }
                if (done == length) {
                    return;
                }
                throw new TransientFetchException(store.uri(object.key()) + ": the body ended after " + done
                        + " of " + length + " bytes", null);
            } catch (ObjectChangedException | NoSuchFileException e) {
                counters.failure();
                throw e;
            } catch (IOException e) {
                if (attempt >= retry.attempts() || !isTransient(e)) {
                    counters.failure();
                    throw e;
                }
                counters.retry();
                LOG.log(System.Logger.Level.DEBUG, "retrying " + store.uri(object.key()) + " after: " + e.getMessage());
                sleep(retry.delayAfter(attempt).toMillis());
            }
        }
    }

    /**
     * Bytes [offset, offset + length) as an array, in one request (retried). Identical requests
     * made while one is under way share its answer instead of fetching the same bytes again.
     */
    public byte[] read(ObjectInfo object, long offset, int length) throws IOException {
        Range range = new Range(object.key(), object.identity(), offset, length);
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> running = inFlight.putIfAbsent(range, mine);
        if (running != null) {
            try {
                return running.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(length);
            copySerially(object, offset, length, out);
            byte[] bytes = out.toByteArray();
            mine.complete(bytes);
            return bytes;
        } catch (IOException | RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(range, mine);
        }
    }

    /** {@link #read} on one of this reader's fetch threads: for fetches meant to overlap the caller's own. */
    public CompletableFuture<byte[]> readAhead(ObjectInfo object, long offset, int length) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return read(object, offset, length);
            } catch (IOException e) {
                throw new CompletionException(e);
            }
        }, partFetchers());
    }

    /** Stores {@code content} as the object {@code key}, retried as reads are (a seek index published beside its archive). */
    public void write(String key, byte[] content) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                store.write(key, content);
                return;
            } catch (IOException e) {
                if (attempt >= retry.attempts() || !isTransient(e)) {
                    throw e;
                }
                LOG.log(System.Logger.Level.DEBUG, "retrying the write of " + store.uri(key) + " after: " + e.getMessage());
                sleep(retry.delayAfter(attempt).toMillis());
            }
        }
    }

    /** Transient unless the store said otherwise: plain socket errors and timeouts count too. */
    private static boolean isTransient(IOException e) {
        return e instanceof TransientFetchException || e.getClass() == IOException.class
                || e instanceof java.net.SocketException || e instanceof java.net.SocketTimeoutException
                || e instanceof java.io.EOFException;
    }

    private static void sleep(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting to retry");
        }
    }

    /** Stops the part fetchers and closes the store. */
    @Override
    public synchronized void close() {
        if (partFetchers != null) {
            partFetchers.shutdownNow();
        }
        store.close();
    }
}
