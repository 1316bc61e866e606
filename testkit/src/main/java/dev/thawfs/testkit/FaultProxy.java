package dev.thawfs.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A loopback HTTP proxy in front of the test S3 server that breaks GET requests on purpose, in
 * planned order: a 503, a dropped connection, or a body cut short (or, to place a fault later, none). It makes every connection carry
 * one request, so each request meets the plan.
 */
public final class FaultProxy implements AutoCloseable {
    public enum Fault { SERVICE_UNAVAILABLE, DROP, TRUNCATE, NONE }

    private final ServerSocket server;
    private final int upstreamPort;
    private final ConcurrentLinkedQueue<Fault> plan = new ConcurrentLinkedQueue<>();

    public FaultProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon(this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** The next GETs on new connections fail like this, in order. */
    public void plan(Fault... faults) {
        plan.addAll(java.util.List.of(faults));
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                daemon(() -> serve(client));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client; Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort)) {
            byte[] head = readHead(client.getInputStream());
            Fault fault = new String(head, StandardCharsets.US_ASCII).startsWith("GET ") ? plan.poll() : null;
            if (fault == Fault.DROP) {
                return;
            }
            if (fault == Fault.SERVICE_UNAVAILABLE) {
                client.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                return;
            }
            upstream.getOutputStream().write(closingAfterResponse(head));
            daemon(() -> pump(client, upstream, Long.MAX_VALUE));
            pump(upstream, client, fault == Fault.TRUNCATE ? 2000 : Long.MAX_VALUE);
        } catch (IOException ignored) {
            // the test's client went away
        }
    }

    /** Copies from one socket to the other, at most {@code limit} bytes. */
    private static void pump(Socket from, Socket to, long limit) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buffer = new byte[8192];
            long sent = 0;
            for (int n; sent < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - sent))) > 0; ) {
                out.write(buffer, 0, n);
                sent += n;
            }
            to.close();
        } catch (IOException ignored) {
            // either side closed
        }
    }

    /** One request per connection, so every request passes through {@link #serve} and its plan. */
    private static byte[] closingAfterResponse(byte[] head) {
        String text = new String(head, StandardCharsets.US_ASCII).replaceAll("(?im)^connection:.*\r\n", "");
        return (text.substring(0, text.length() - 2) + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; matched < 4 && (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toByteArray();
    }

    private static void daemon(Runnable task) {
        Thread thread = new Thread(task, "fault-proxy");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
