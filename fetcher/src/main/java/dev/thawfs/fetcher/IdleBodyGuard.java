package dev.thawfs.fetcher;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an answer's body once no bytes have arrived for the timeout: the JDK's HTTP client
 * times out waiting for headers only, and a server that stalls mid-body must fail the read (to
 * be retried), not hang it.
 */
final class IdleBodyGuard implements AutoCloseable {
    private final Duration timeout;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "thawfs-http-idle");
        thread.setDaemon(true);
        return thread;
    });

    IdleBodyGuard(Duration timeout) {
        this.timeout = timeout;
    }

    InputStream watch(InputStream body, String uri) {
        return new Watched(body, uri);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    private final class Watched extends FilterInputStream {
        private final String uri;
        private final ScheduledFuture<?> check;
        private volatile long lastProgress = System.nanoTime();
        private volatile boolean stalled;

        Watched(InputStream body, String uri) {
            super(body);
            this.uri = uri;
            long period = Math.max(10, timeout.toMillis() / 4);
            this.check = timer.scheduleAtFixedRate(this::checkProgress, period, period, TimeUnit.MILLISECONDS);
        }

        private void checkProgress() {
            if (!stalled && System.nanoTime() - lastProgress > timeout.toNanos()) {
                stalled = true;
                try {
                    in.close();
                } catch (IOException e) {
                    // it is being abandoned: the reader gets the stall as its error
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            try {
                int n = in.read(buffer, offset, length);
                checkStalled(null);
                lastProgress = System.nanoTime();
                return n;
            } catch (IOException e) {
                checkStalled(e);
                throw e;
            }
        }

        private void checkStalled(IOException cause) throws TransientFetchException {
            if (stalled) {
                throw new TransientFetchException(uri + ": no bytes arrived for " + timeout.toMillis() + " ms", cause);
            }
        }

        @Override
        public void close() throws IOException {
            check.cancel(false);
            super.close();
        }
    }
}
