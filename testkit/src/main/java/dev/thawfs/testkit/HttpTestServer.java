package dev.thawfs.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A static file server over a directory on 127.0.0.1, as nginx serves one: single byte ranges,
 * strong ETags from mtime and size, Last-Modified, If-Match, If-Range and If-Unmodified-Since,
 * autoindex pages (with a parent link and Apache-style sort links, which a crawler must skip),
 * and a redirect from a directory without its '/'. Switches make it misbehave: ignore Range,
 * refuse HEAD, leave out ETags, redirect a path, require an Authorization header, stall in a body;
 * or serve directories otherwise: without index pages (403), or as 404 without their '/'.
 */
public final class HttpTestServer implements AutoCloseable {
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");

    private final Path root;
    private final HttpServer server;
    private final ExecutorService threads = Executors.newFixedThreadPool(16);
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    /** The scheme and authority of this server: http://127.0.0.1:PORT. */
    public final URI endpoint;
    public final AtomicInteger gets = new AtomicInteger();
    public final AtomicInteger heads = new AtomicInteger();
    /** Every request as "METHOD /path", in order. */
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** Whether a directory's URL (ending in '/') answers its index page; when not, 403, as nginx with autoindex off. */
    public volatile boolean autoindex = true;
    /** Whether a directory's URL without its '/' redirects to it; when not, 404. */
    public volatile boolean directoryRedirects = true;
    /** The Authorization header of every request ("" when none), in order. */
    public final List<String> authorizations = new CopyOnWriteArrayList<>();
    public volatile boolean ignoreRange;
    /** Whether HEAD is answered; when not, 405 (as a URL presigned for GET answers 403). */
    public volatile boolean headAllowed = true;
    /** Whether files have ETags; without, Last-Modified is their only validator. */
    public volatile boolean etags = true;
    /** When set, requests without exactly this Authorization header get 401. */
    public volatile String requiredAuthorization;
    /** When not negative, a body stops (until close) after this many bytes. */
    public volatile long stallAfter = -1;

    public HttpTestServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(threads);
        server.createContext("/", exchange -> {
            try (exchange) {
                serve(exchange);
            } catch (IOException | RuntimeException e) {
                // the client went away; nothing to answer
            }
        });
        server.start();
        endpoint = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Answers requests for {@code path} with a 302 to {@code location}. */
    public void redirect(String path, String location) {
        redirects.put(path, location);
    }

    public static String etag(Path file) throws IOException {
        return "\"" + Long.toHexString(Files.getLastModifiedTime(file).toMillis()) + "-" + Long.toHexString(Files.size(file))
                + "\"";
    }

    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        authorizations.add(authorization == null ? "" : authorization);
        requests.add(exchange.getRequestMethod() + " " + path);
        boolean head = exchange.getRequestMethod().equals("HEAD");
        (head ? heads : gets).incrementAndGet();
        if (redirects.containsKey(path)) {
            exchange.getResponseHeaders().set("Location", redirects.get(path));
            exchange.sendResponseHeaders(302, -1);
            return;
        }
        if (head && !headAllowed) {
            exchange.sendResponseHeaders(405, -1);
            return;
        }
        if (requiredAuthorization != null && !requiredAuthorization.equals(authorization)) {
            exchange.sendResponseHeaders(401, -1);
            return;
        }
        Path file = root.resolve(path.substring(1)).normalize();
        if (!file.startsWith(root) || !Files.exists(file)) {
            exchange.sendResponseHeaders(404, -1);
        } else if (Files.isDirectory(file) && !path.endsWith("/") && !directoryRedirects) {
            exchange.sendResponseHeaders(404, -1);
        } else if (Files.isDirectory(file) && !path.endsWith("/")) {
            exchange.getResponseHeaders().set("Location", exchange.getRequestURI().getRawPath() + "/");
            exchange.sendResponseHeaders(301, -1);
        } else if (Files.isDirectory(file) && !autoindex) {
            exchange.sendResponseHeaders(403, -1);
        } else if (Files.isDirectory(file)) {
            byte[] page = index(path, file).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, head ? -1 : page.length);
            exchange.getResponseBody().write(head ? new byte[0] : page);
        } else {
            serveFile(exchange, file, head);
        }
    }

    private void serveFile(HttpExchange exchange, Path file, boolean head) throws IOException {
        long size = Files.size(file);
        String etag = etag(file);
        ZonedDateTime modified = Files.getLastModifiedTime(file).toInstant().atZone(ZoneOffset.UTC);
        String lastModified = HTTP_DATE.format(modified);
        var request = exchange.getRequestHeaders();
        var response = exchange.getResponseHeaders();
        String ifMatch = request.getFirst("If-Match");
        String ifUnmodifiedSince = request.getFirst("If-Unmodified-Since");
        if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(etag)
                || ifUnmodifiedSince != null && modified.toEpochSecond()
                        > ZonedDateTime.parse(ifUnmodifiedSince, HTTP_DATE).toEpochSecond()) {
            exchange.sendResponseHeaders(412, -1);
            return;
        }
        if (etags) {
            response.set("ETag", etag);
        }
        response.set("Last-Modified", lastModified);
        response.set("Accept-Ranges", ignoreRange ? "none" : "bytes");
        String ifRange = request.getFirst("If-Range");
        Matcher range = RANGE.matcher(String.valueOf(request.getFirst("Range")));
        boolean ranged = !ignoreRange && range.matches() && (ifRange == null || etags && ifRange.equals(etag)
                || ifRange.equals(lastModified));
        long start = 0;
        long end = size - 1;
        int status = 200;
        if (ranged) {
            start = Long.parseLong(range.group(1));
            end = range.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(range.group(2)));
            if (start >= size) {
                response.set("Content-Range", "bytes */" + size);
                exchange.sendResponseHeaders(416, -1);
                return;
            }
            response.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
            status = 206;
        }
        long length = end - start + 1;
        response.set("Content-Length", Long.toString(length));
        exchange.sendResponseHeaders(status, head || length == 0 ? -1 : length);
        if (!head) {
            try (FileChannel channel = FileChannel.open(file); OutputStream body = exchange.getResponseBody()) {
                channel.position(start);
                copy(Channels.newInputStream(channel), body, length);
            }
        }
    }

    private void copy(InputStream in, OutputStream body, long length) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long stall = stallAfter;
        for (long done = 0; done < length; ) {
            if (done == stall) {
                body.flush();
                awaitClose();
            }
            long limit = stall > done ? Math.min(buffer.length, stall - done) : buffer.length;
            int n = in.read(buffer, 0, (int) Math.min(limit, length - done));
            body.write(buffer, 0, n);
            done += n;
        }
    }

    private void awaitClose() throws IOException {
        try {
            closing.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IOException("the server closes");
    }

    /** An nginx-style autoindex page, with Apache's sort links too. */
    private static String index(String path, Path directory) throws IOException {
        StringBuilder page = new StringBuilder("<html><head><title>Index of " + escape(path) + "</title></head><body>\n"
                + "<h1>Index of " + escape(path) + "</h1><hr><pre><a href=\"?C=N;O=D\">Name</a> <a href='?C=M;O=A'>"
                + "Last modified</a>\n<a href=\"../\">../</a>\n");
        try (Stream<Path> children = Files.list(directory).sorted()) {
            for (Path child : (Iterable<Path>) children::iterator) {
                String name = child.getFileName().toString() + (Files.isDirectory(child) ? "/" : "");
                String href;
                try {
                    href = new URI(null, null, name.contains(":") ? "./" + name : name, null).getRawPath();
                } catch (URISyntaxException e) {
                    throw new IOException(e);
                }
                page.append("<a href=\"").append(escape(href)).append("\">").append(escape(name)).append("</a> ")
                        .append(Instant.ofEpochMilli(Files.getLastModifiedTime(child).toMillis())).append(' ')
                        .append(Files.isDirectory(child) ? "-" : Long.toString(Files.size(child))).append('\n');
            }
        }
        return page.append("</pre><hr></body></html>\n").toString();
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    @Override
    public void close() {
        closing.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
