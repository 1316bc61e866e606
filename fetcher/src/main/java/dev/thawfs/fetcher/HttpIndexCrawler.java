package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lists an HTTP prefix from the server's autoindex-style HTML pages (nginx and Apache autoindex,
 * a PyPI "simple" index): a link into the page's directory is a file, or a subdirectory when it
 * ends in '/'; other links (the parent, sort orders, other hosts) are not part of the tree. Each
 * file's size and identity come from a HEAD, several at a time.
 */
final class HttpIndexCrawler {
    private static final Pattern HREF = Pattern.compile(
            "<a\\s[^>]*?href\\s*=\\s*(?:\"([^\"]*)\"|'([^']*)'|([^\\s>]+))", Pattern.CASE_INSENSITIVE);
    private static final Pattern ENTITY = Pattern.compile("&(amp|lt|gt|quot|apos|#\\d{1,7}|#[xX][0-9a-fA-F]{1,6});");
    /** Directory levels below the prefix: a bound against link loops that a server's symlinks make. */
    private static final int MAX_DEPTH = 64;
    private static final int PARALLEL_HEADS = 8;

    private final HttpObjectStore store;

    HttpIndexCrawler(HttpObjectStore store) {
        this.store = store;
    }

    List<ObjectInfo> crawl(String prefix) throws IOException {
        Set<String> files = new LinkedHashSet<>();
        Set<String> seen = new HashSet<>(Set.of(prefix));
        Deque<String> directories = new ArrayDeque<>(List.of(prefix));
        while (!directories.isEmpty()) {
            String directory = directories.pop();
            for (String key : links(directory, store.page(directory))) {
                if (!key.endsWith("/")) {
                    files.add(key);
                } else if (key.substring(prefix.length()).chars().filter(c -> c == '/').count() > MAX_DEPTH) {
                    throw new IOException(store.uri(key) + ": more than " + MAX_DEPTH + " directory levels below "
                            + store.uri(prefix) + ": a loop of links in the server's index pages?");
                } else if (seen.add(key)) {
                    directories.push(key);
                }
            }
        }
        return stat(files);
    }

    /** The keys that the page's links name inside {@code directory}, in the page's order. */
    List<String> links(String directory, String html) {
        URI base = URI.create(store.uri(directory));
        List<String> keys = new ArrayList<>();
        for (Matcher link = HREF.matcher(html); link.find(); ) {
            String href = unescape(link.group(link.group(1) != null ? 1 : link.group(2) != null ? 2 : 3));
            int hash = href.indexOf('#');
            href = hash < 0 ? href : href.substring(0, hash); // PyPI's #sha256=...
            if (href.isEmpty() || href.contains("?")) {
                continue; // the page itself, or a view of it (Apache's sort orders)
            }
            URI target;
            try {
                target = base.resolve(new URI(href)).normalize();
            } catch (java.net.URISyntaxException | IllegalArgumentException e) {
                continue; // not a URL: no link to anything
            }
            String path = target.getPath();
            if (store.isOwn(target) && path != null && path.startsWith("/" + directory)
                    && path.length() > directory.length() + 1) {
                keys.add(path.substring(1));
            }
        }
        return keys;
    }

    private static String unescape(String html) {
        return ENTITY.matcher(html).replaceAll(entity -> {
            String name = entity.group(1);
            int c = switch (name) {
                case "amp" -> '&';
                case "lt" -> '<';
                case "gt" -> '>';
                case "quot" -> '"';
                case "apos" -> '\'';
                default -> name.startsWith("#x") || name.startsWith("#X") ? Integer.parseInt(name.substring(2), 16)
                        : Integer.parseInt(name.substring(1));
            };
            return Matcher.quoteReplacement(Character.isValidCodePoint(c) ? Character.toString(c) : entity.group());
        });
    }

    private List<ObjectInfo> stat(Collection<String> keys) throws IOException {
        ExecutorService heads = Executors.newFixedThreadPool(PARALLEL_HEADS, task -> {
            Thread thread = new Thread(task, "thawfs-http-head");
            thread.setDaemon(true);
            return thread;
        });
        try {
            List<Future<ObjectInfo>> answers = new ArrayList<>(keys.size());
            for (String key : keys) {
                answers.add(heads.submit(() -> store.stat(key)));
            }
            List<ObjectInfo> objects = new ArrayList<>(keys.size());
            for (Future<ObjectInfo> answer : answers) {
                objects.add(answer.get());
            }
            return objects;
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while listing " + store.uri(""));
        } finally {
            heads.shutdownNow();
        }
    }
}
