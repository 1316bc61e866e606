package dev.thawfs.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * {@code GET /metrics} over the JDK's HTTP server, on one thread of its own. It listens from
 * {@link #bind} on, so a taken port fails before anything is mounted; it answers from {@link #serve} on.
 */
final class MetricsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "thawfs-metrics");
        t.setDaemon(true);
        return t;
    });

    private MetricsServer(HttpServer server) {
        this.server = server;
    }

    /** Listens on {@code address}; IOException says what to change when it cannot. */
    static MetricsServer bind(InetSocketAddress address) throws IOException {
        try {
            return new MetricsServer(HttpServer.create(address, 0));
        } catch (IOException e) {
            throw new IOException("mount.metrics: cannot listen on " + address.getAddress().getHostAddress() + ":"
                    + address.getPort() + " (" + e.getMessage() + "): choose another address or port, or leave"
                    + " mount.metrics empty", e);
        }
    }

    /** The address and port it listens on (the port chosen when 0 was asked). */
    String address() {
        InetSocketAddress address = server.getAddress();
        String host = address.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + address.getPort();
    }

    void serve(Supplier<String> metrics) {
        server.createContext("/metrics", exchange -> answer(exchange, metrics));
        server.setExecutor(thread);
        server.start();
    }

    private static void answer(HttpExchange exchange, Supplier<String> metrics) throws IOException {
        try (exchange) {
            if (!exchange.getRequestURI().getPath().equals("/metrics")) {
                exchange.sendResponseHeaders(404, -1);
            } else if (!exchange.getRequestMethod().equals("GET") && !exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
            } else {
                byte[] body = metrics.get().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", PrometheusText.CONTENT_TYPE);
                boolean head = exchange.getRequestMethod().equals("HEAD");
                exchange.sendResponseHeaders(200, head ? -1 : body.length);
                if (!head) {
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        thread.shutdownNow();
    }
}
