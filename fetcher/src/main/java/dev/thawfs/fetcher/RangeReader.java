package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.NoSuchFileException;

/**
 * Ranged reads with retries: a transient failure (5xx, throttling, a reset, a body that ends
 * early) is retried with backoff, resuming after the bytes already copied; a missing or replaced
 * object fails at once. Counts every request and byte.
 */
public final class RangeReader {
    private static final System.Logger LOG = System.getLogger(RangeReader.class.getName());

    private final ObjectStore store;
    private final RetryPolicy retry;
    private final FetchCounters counters = new FetchCounters();

    public RangeReader(ObjectStore store, RetryPolicy retry) {
        this.store = store;
        this.retry = retry;
    }

    public ObjectStore store() {
        return store;
    }

    public FetchCounters counters() {
        return counters;
    }

    /** Copies bytes [offset, offset + length) of the object to {@code out}. */
    public void copy(ObjectInfo object, long offset, long length, OutputStream out) throws IOException {
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

    /** Bytes [offset, offset + length) as an array. */
    public byte[] read(ObjectInfo object, long offset, int length) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(length);
        copy(object, offset, length, out);
        return out.toByteArray();
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
}
