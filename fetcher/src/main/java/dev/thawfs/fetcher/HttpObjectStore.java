package dev.thawfs.fetcher;

import dev.thawfs.config.HttpSettings;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * An HTTP(S) server as an object store: a key is a URL's path (decoded, without the leading
 * '/') on one origin. Reads are ranged GETs pinned like S3's: with {@code If-Match} and
 * {@code If-Range} on the ETag, or on Last-Modified when there is no strong ETag, and the answer's
 * own validators and size checked again. A server that ignores Range is served from one whole
 * download of each object up to {@code http.whole-object-limit}. Redirects are followed (at most
 * {@link #MAX_REDIRECTS}); credentials go only to the source's own origin. Retries are
 * {@link RangeReader}'s, as for every store.
 */
public final class HttpObjectStore implements ObjectStore {
    private static final System.Logger LOG = System.getLogger(HttpObjectStore.class.getName());
    /** Enough for a CDN's or a release page's hop to where the bytes are. */
    static final int MAX_REDIRECTS = 5;
    private static final int MAX_PAGE_BYTES = 64 << 20;
    private static final Pattern CONTENT_RANGE = Pattern.compile("\\s*bytes (\\d+)-(\\d+)/(\\d+|\\*)\\s*");

    private record Listing(String prefix, List<ObjectInfo> objects) {
    }

    private final URI origin;
    private final HttpSettings settings;
    private final String authorization;
    private final HttpClient client;
    private final IdleBodyGuard idleGuard;
    private final WholeObjects wholeObjects;
    private final AtomicBoolean toldRangeIgnored = new AtomicBoolean();
    private final AtomicBoolean toldUnpinned = new AtomicBoolean();
    private volatile Listing lastListing;

    public HttpObjectStore(URI origin, HttpSettings settings) throws IOException {
        this.origin = origin;
        this.settings = settings;
        this.authorization = HttpCredentials.authorization(settings, origin.getHost()).orElse(null);
        this.client = HttpClient.newBuilder().connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .version("https".equals(origin.getScheme()) ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
                .build();
        this.idleGuard = new IdleBodyGuard(settings.requestTimeout());
        this.wholeObjects = new WholeObjects(2 * settings.wholeObjectLimit());
    }

    static boolean isHttp(String source) {
        String lower = source.toLowerCase(Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    /** The source's URL; what cannot be a source (no host, credentials, a query) is refused, saying why. */
    static URI parse(String source, String location) {
        URI url;
        try {
            url = new URI(location);
        } catch (URISyntaxException e) {
            throw new BadSourceException("source " + source + " is not a valid URL (" + e.getReason()
                    + " at index " + e.getIndex() + "): write spaces and other special characters %-encoded");
        }
        if (url.getRawUserInfo() != null) { // the source itself is not shown: it holds the password
            throw new BadSourceException("the source on " + url.getHost() + " carries credentials in its URL,"
                    + " which would be logged: give them in THAWFS_HTTP_BEARER, THAWFS_HTTP_USER and"
                    + " THAWFS_HTTP_PASSWORD, or a ~/.netrc entry");
        }
        if (url.getHost() == null) {
            throw new BadSourceException("source " + source + " names no host: use https://HOST/PATH");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new BadSourceException("source " + source + ": thawfs reads a URL's path only, without a"
                    + " query (?) or a fragment (#); a '#' after the name can only say its format: "
                    + ArchiveFormat.allLabels());
        }
        return url;
    }

    /** scheme://host[:port] of a URL. */
    static URI origin(URI url) {
        return URI.create(url.getScheme().toLowerCase(Locale.ROOT) + "://" + url.getRawAuthority());
    }

    static String key(URI url) {
        String path = url.getPath();
        return path.isEmpty() ? "" : path.substring(1);
    }

    /** The URL of {@code key} on {@code origin}, %-encoded. */
    static String uri(URI origin, String key) {
        try {
            return new URI(origin.getScheme(), origin.getRawAuthority(), "/" + key, null, null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("key " + key + " makes no URL on " + origin + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String uri(String key) {
        return uri(origin, key);
    }

    boolean isOwn(URI url) {
        return url.getScheme() != null && url.getRawAuthority() != null && origin(url).equals(origin);
    }

    /**
     * A HEAD, or where the server refuses HEAD (a presigned URL is signed for GET only), a GET of
     * the first byte.
     */
    @Override
    public ObjectInfo stat(String key) throws IOException {
        return object(key, head(key));
    }

    /**
     * With {@code http.listing = none}, the tree is found one name at a time: {@code key} is an
     * object when its HEAD answers with one; a directory when it redirects to {@code key/} (as
     * nginx and Apache answer for a directory), or when it is missing (404, 410) and {@code key/}
     * answers anything else (an index page, or 403 where listings are off); else nothing. A
     * directory is an {@link ObjectInfo} whose key ends in '/', dated when it was found.
     */
    Optional<ObjectInfo> find(String key) throws IOException {
        HttpResponse<InputStream> response = head(key);
        int status = response.statusCode();
        boolean missing = status == 404 || status == 410;
        if (!missing && response.uri().getPath().endsWith("/")) {
            response.body().close();
            return Optional.of(directory(key));
        }
        if (!missing) {
            return Optional.of(object(key, response));
        }
        response.body().close();
        String directory = key + "/";
        HttpResponse<InputStream> listing = exchange("HEAD", directory);
        int listingStatus = listing.statusCode();
        if (listingStatus >= 500 || listingStatus == 408 || listingStatus == 429) {
            throw failure(directory, listing);
        }
        listing.body().close();
        return listingStatus == 404 || listingStatus == 410 ? Optional.empty() : Optional.of(directory(key));
    }

    private static ObjectInfo directory(String key) {
        return new ObjectInfo(key + "/", 0, "", System.currentTimeMillis());
    }

    /** The answer to a HEAD, or where the server refuses HEAD, to a GET of the first byte. */
    private HttpResponse<InputStream> head(String key) throws IOException {
        HttpResponse<InputStream> response = exchange("HEAD", key);
        int status = response.statusCode();
        if (status == 403 || status == 405 || status == 501) {
            response.body().close();
            response = exchange("GET", key, "Range", "bytes=0-0");
        }
        return response;
    }

    /** The object a HEAD (or a GET of its first byte) describes. */
    private ObjectInfo object(String key, HttpResponse<InputStream> response) throws IOException {
        int status = response.statusCode();
        try (InputStream ignored = response.body()) {
            if (status != 200 && status != 206) {
                throw failure(key, response);
            }
            HttpHeaders headers = response.headers();
            Matcher range = CONTENT_RANGE.matcher(headers.firstValue("Content-Range").orElse(""));
            OptionalLong size = status == 200 ? headers.firstValueAsLong("Content-Length")
                    : range.matches() && !range.group(3).equals("*") ? OptionalLong.of(Long.parseLong(range.group(3)))
                    : OptionalLong.empty();
            return info(key, headers, size.orElseThrow(() -> new UnusableAnswerException(uri(key)
                    + ": the server gives no size for it (Content-Length or Content-Range), and thawfs needs it")));
        }
    }

    private ObjectInfo info(String key, HttpHeaders headers, long size) {
        String identity = HttpVersions.identity(headers, size);
        if (!HttpVersions.canPin(identity) && !toldUnpinned.getAndSet(true)) {
            LOG.log(System.Logger.Level.WARNING, uri(key) + ": the server gives neither an ETag nor a Last-Modified"
                    + " date, so a change that keeps an object's size goes unnoticed");
        }
        return new ObjectInfo(key, size, identity, HttpVersions.modifiedMillis(headers));
    }

    @Override
    public InputStream read(ObjectInfo object, long offset, long length) throws IOException {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        byte[] whole = wholeObjects.get(object);
        if (whole != null) {
            return new ByteArrayInputStream(whole, Math.toIntExact(offset), Math.toIntExact(length));
        }
        String[] range = {"Range", "bytes=" + offset + "-" + (offset + length - 1)};
        HttpResponse<InputStream> response = exchange("GET", object.key(),
                Stream.concat(Stream.of(range), Stream.of(HttpVersions.conditions(object.identity())))
                        .toArray(String[]::new));
        switch (response.statusCode()) {
            case 206 -> {
                checkPart(object, offset, response);
                return idleGuard.watch(response.body(), uri(object.key()));
            }
            case 200 -> {
                long total = response.headers().firstValueAsLong("Content-Length").orElse(object.size());
                if (!HttpVersions.same(object, response.headers(), total)) {
                    response.body().close();
                    throw new ObjectChangedException(uri(object.key()), object.identity());
                }
                return rangeIgnored(object, offset, length, response);
            }
            case 412, 416 -> {
                response.body().close();
                throw new ObjectChangedException(uri(object.key()), object.identity());
            }
            default -> throw failure(object.key(), response);
        }
    }

    /** A 206 must be the range asked for, of the version pinned. */
    private void checkPart(ObjectInfo object, long offset, HttpResponse<InputStream> response) throws IOException {
        String contentRange = response.headers().firstValue("Content-Range").orElse("");
        Matcher parsed = CONTENT_RANGE.matcher(contentRange);
        if (!parsed.matches() || Long.parseLong(parsed.group(1)) != offset) {
            response.body().close();
            throw new UnusableAnswerException(uri(object.key()) + ": asked for bytes from " + offset
                    + ", the server answered Content-Range '" + contentRange + "'");
        }
        long total = parsed.group(3).equals("*") ? object.size() : Long.parseLong(parsed.group(3));
        if (!HttpVersions.same(object, response.headers(), total)) {
            response.body().close();
            throw new ObjectChangedException(uri(object.key()), object.identity());
        }
    }

    /** A 200 to a ranged GET: the server sends the whole object; read ranges from one copy of it, if small. */
    private InputStream rangeIgnored(ObjectInfo object, long offset, long length, HttpResponse<InputStream> response)
            throws IOException {
        InputStream body = idleGuard.watch(response.body(), uri(object.key()));
        if (offset == 0 && length == object.size()) {
            return body;
        }
        try (body) {
            if (object.size() > settings.wholeObjectLimit()) {
                throw new UnusableAnswerException(uri(object.key()) + ": the server ignores Range requests (it"
                        + " answered 200 to a ranged GET) and the object's " + object.size() + " bytes are over"
                        + " http.whole-object-limit (" + settings.wholeObjectLimit() + "): serve it from a server that"
                        + " answers ranged GETs (nginx, Apache, S3 do), or raise http.whole-object-limit");
            }
            if (!toldRangeIgnored.getAndSet(true)) {
                LOG.log(System.Logger.Level.WARNING, origin + " ignores Range requests: objects up to "
                        + settings.wholeObjectLimit() + " bytes are downloaded whole, once each");
            }
            byte[] whole = body.readNBytes(Math.toIntExact(object.size()));
            if (whole.length != object.size()) {
                throw new TransientFetchException(uri(object.key()) + ": the body ended after " + whole.length + " of "
                        + object.size() + " bytes", null);
            }
            wholeObjects.put(object, whole);
            return new ByteArrayInputStream(whole, Math.toIntExact(offset), Math.toIntExact(length));
        }
    }

    /**
     * The tree below {@code prefix}, from the server's HTML index pages. The last listing is kept:
     * a prefix artifact lists twice (identity, then index), and a crawl costs a request per file.
     */
    @Override
    public Iterator<ObjectInfo> list(String prefix) throws IOException {
        Listing listing = lastListing;
        if (listing == null || !listing.prefix().equals(prefix)) {
            listing = new Listing(prefix, new HttpIndexCrawler(this).crawl(prefix));
            lastListing = listing;
        }
        return listing.objects().iterator();
    }

    /** The HTML index page of the directory {@code key} (ending in '/'). */
    String page(String key) throws IOException {
        HttpResponse<InputStream> response = exchange("GET", key, "Accept", "text/html");
        if (response.statusCode() != 200) {
            throw failure(key, response);
        }
        try (InputStream body = idleGuard.watch(response.body(), uri(key))) {
            byte[] html = body.readNBytes(MAX_PAGE_BYTES + 1);
            if (html.length > MAX_PAGE_BYTES) {
                throw new UnusableAnswerException(uri(key) + ": an index page over " + MAX_PAGE_BYTES + " bytes");
            }
            return new String(html, StandardCharsets.UTF_8);
        }
    }

    /** The answer to METHOD key, redirects followed; credentials go to the source's own origin only. */
    private HttpResponse<InputStream> exchange(String method, String key, String... headers) throws IOException {
        URI target = URI.create(uri(key));
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder request = HttpRequest.newBuilder(target)
                    .method(method, HttpRequest.BodyPublishers.noBody())
                    .timeout(settings.requestTimeout());
            if (headers.length > 0) {
                request.headers(headers);
            }
            if (authorization != null && isOwn(target)) {
                request.header("Authorization", authorization);
            }
            HttpResponse<InputStream> response = send(request.build(), key);
            int status = response.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                return response;
            }
            response.body().close();
            target = redirect(key, target, response.headers().firstValue("Location"), hop);
        }
    }

    private URI redirect(String key, URI from, Optional<String> location, int hop) throws IOException {
        if (location.isEmpty()) {
            throw new UnusableAnswerException(uri(key) + ": a redirect without a Location");
        }
        if (hop == MAX_REDIRECTS) {
            throw new UnusableAnswerException(uri(key) + ": more than " + MAX_REDIRECTS + " redirects (the last to "
                    + from.getHost() + "): a redirect loop?");
        }
        URI next;
        try {
            next = from.resolve(new URI(location.get()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new UnusableAnswerException(uri(key) + ": a redirect to a Location that is no URL: "
                    + e.getMessage());
        }
        if ("https".equals(from.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
            throw new UnusableAnswerException(uri(key) + ": redirected from https to " + next.getScheme() + " on "
                    + next.getHost()
                    + ", which thawfs does not follow");
        }
        return next;
    }

    private HttpResponse<InputStream> send(HttpRequest request, String key) throws IOException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new TransientFetchException(uri(key) + ": no answer within " + settings.requestTimeout().toMillis()
                    + " ms", e);
        } catch (IOException e) {
            throw new TransientFetchException(uri(key) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while requesting " + uri(key));
        }
    }

    /** 404 and 410 are final, 5xx, 408 and 429 are worth a retry, 401 and 403 say what to do. */
    private IOException failure(String key, HttpResponse<InputStream> response) throws IOException {
        response.body().close();
        int status = response.statusCode();
        String where = uri(key) + ": HTTP " + status;
        if (status == 404 || status == 410) {
            return new NoSuchFileException(uri(key), null, "no such object (HTTP " + status + ")");
        }
        if (status >= 500 || status == 408 || status == 429) {
            return new TransientFetchException(where, null);
        }
        if (status == 401 || status == 403) {
            return new UnusableAnswerException(where + (authorization == null ? ": the server wants credentials; set"
                    + " THAWFS_HTTP_BEARER, or THAWFS_HTTP_USER and THAWFS_HTTP_PASSWORD, or a ~/.netrc entry for "
                    + origin.getHost() : ": the server refused the credentials (from THAWFS_HTTP_* or netrc)"));
        }
        return new UnusableAnswerException(where + ", which thawfs does not expect here");
    }

    /** HTTP sources are read-only: a seek index is published where the archive is uploaded from. */
    @Override
    public void write(String key, byte[] content) throws IOException {
        throw new UnusableAnswerException("cannot publish " + uri(key) + ": an HTTP source is read-only; publish the"
                + " index to the store the archive is uploaded to and copy it beside the archive on the server");
    }

    @Override
    public void close() {
        idleGuard.close();
    }
}
