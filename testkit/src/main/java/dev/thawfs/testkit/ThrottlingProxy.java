package dev.thawfs.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that makes a local S3 server behave like a remote one: each response's
 * first byte is delayed and each connection's download is capped, so lazy fetching is judged under
 * object-store-like conditions rather than loopback's zero latency.
 */
public final class ThrottlingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final long latencyNanos;
    private final long bytesPerSecond;
    private final AtomicLong responses = new AtomicLong();
    private final AtomicLong responseBytes = new AtomicLong();

    public ThrottlingProxy(int targetPort, Duration firstByteLatency, long bytesPerSecond) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.latencyNanos = firstByteLatency.toNanos();
        this.bytesPerSecond = bytesPerSecond;
        Thread acceptor = new Thread(this::accept, "throttling-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Requests answered so far (each response counts once, whatever its size). */
    public long requests() {
        return responses.get();
    }

    /** Response bytes sent to clients so far, headers included. */
    public long bytes() {
        return responseBytes.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                AtomicBoolean awaitingResponse = new AtomicBoolean();
                start(() -> pump(client.getInputStream(), upstream.getOutputStream(), awaitingResponse, false));
                start(() -> pump(upstream.getInputStream(), client.getOutputStream(), awaitingResponse, true));
            } catch (IOException e) {
                return;
            }
        }
    }

    private interface Pump {
        void run() throws IOException, InterruptedException;
    }

    private static void start(Pump pump) {
        Thread thread = new Thread(() -> {
            try {
                pump.run();
            } catch (IOException | InterruptedException ignored) {
                // the connection closed
            }
        }, "throttling-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** Copies one direction; responses wait for the latency once per request and flow at the cap. */
    private void pump(InputStream in, OutputStream out, AtomicBoolean awaitingResponse, boolean response)
            throws IOException, InterruptedException {
        byte[] buffer = new byte[64 * 1024];
        long sent = 0;
        long start = System.nanoTime();
        try (in; out) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (!response) {
                    awaitingResponse.set(true);
                } else if (awaitingResponse.getAndSet(false)) {
                    responses.incrementAndGet();
                    Thread.sleep(latencyNanos / 1_000_000, (int) (latencyNanos % 1_000_000));
                    sent = 0;
                    start = System.nanoTime();
                }
                out.write(buffer, 0, n);
                out.flush();
                if (response) {
                    responseBytes.addAndGet(n);
                    sent += n;
                    long due = start + sent * 1_000_000_000L / bytesPerSecond;
                    long wait = due - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    }
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
