package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.config.HttpListing;
import dev.thawfs.config.HttpSettings;
import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.HttpTestServer;
import dev.thawfs.testkit.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Artifacts on a real HTTP server (the JDK's, on 127.0.0.1, serving a directory like nginx). */
class HttpArtifactsTest {
    @TempDir
    static Path work;
    private static Path tree;
    private static Path served;
    private HttpTestServer http;

    @BeforeAll
    static void artifacts() throws Exception {
        tree = work.resolve("tree");
        Trees.create(tree);
        served = Files.createDirectories(work.resolve("served/builds")).getParent();
        Commands.check(tree, "zip", "-qry", "../served/builds/app.zip", "pkg");
        Commands.check(tree, "tar", "cf", "../served/builds/app.tar", "pkg");
    }

    @BeforeEach
    void start() throws IOException {
        http = new HttpTestServer(served);
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private String url(String path) {
        return http.endpoint + "/" + path;
    }

    private static ArtifactReader open(String uri, HttpSettings settings) throws IOException {
        return Artifacts.open(uri, new FetchOptions(null, settings, new RetryPolicy(2, Duration.ofMillis(1),
                Duration.ofMillis(1)), RangeReader.Parallelism.defaults(), ArchiveLimits.defaults(),
                SeekIndexOptions.defaults()), work.resolve("scratch"));
    }

    private static ArtifactReader open(String uri) throws IOException {
        return open(uri, HttpSettings.defaults());
    }

    private static byte[] extract(ArtifactReader artifact, IndexEntry entry) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        artifact.extract(entry.locator(), entry.size(), bytes);
        return bytes.toByteArray();
    }

    private static void assertEveryFileAsInTree(ArtifactReader artifact, List<IndexEntry> index) throws IOException {
        for (IndexEntry entry : index) {
            if (entry.type() == EntryType.FILE) {
                assertArrayEquals(Files.readAllBytes(tree.resolve(entry.path())), extract(artifact, entry), entry.path());
            }
        }
    }

    @Test
    void aZipIsIndexedAndReadWithAFewRangedGets() throws Exception {
        try (ArtifactReader zip = open(url("builds/app.zip"))) {
            assertEquals(url("builds/app.zip"), zip.uri());
            assertEquals(HttpTestServer.etag(served.resolve("builds/app.zip")), zip.identity());
            List<IndexEntry> index = Indexes.index(zip);
            assertEquals(Trees.describe(tree), Indexes.describe(index));
            long before = zip.counters().requests();
            IndexEntry big = index.stream().filter(e -> e.path().equals("pkg/lib/f4.bin")).findFirst().orElseThrow();
            assertArrayEquals(Files.readAllBytes(tree.resolve(big.path())), extract(zip, big));
            assertEquals(1, zip.counters().requests() - before, "one entry, one ranged GET");
            assertEveryFileAsInTree(zip, index);
        }
    }

    @ParameterizedTest(name = "etags: {0}")
    @ValueSource(booleans = {true, false})
    void anObjectReplacedAfterIndexingIsAnErrorNotAMixOfVersions(boolean etags) throws Exception {
        http.etags = etags;
        // a zip: a tar's header scan would have kept this small tree whole, and fetch nothing more
        String name = "builds/changing-" + etags + ".zip";
        Path changing = served.resolve(name);
        Files.copy(served.resolve("builds/app.zip"), changing);
        String url = url(name);
        try (ArtifactReader zip = open(url)) {
            assertEquals(etags, zip.identity().startsWith("\""), zip.identity());
            IndexEntry entry = Indexes.index(zip).stream().filter(e -> e.path().equals("pkg/lib/f3.bin")).findFirst()
                    .orElseThrow();
            FileTime indexed = Files.getLastModifiedTime(changing);
            Files.write(changing, Files.readAllBytes(served.resolve("builds/app.zip")));
            Files.setLastModifiedTime(changing, FileTime.fromMillis(indexed.toMillis() + 10_000)); // same size, later
            ObjectChangedException changed = assertThrows(ObjectChangedException.class, () -> extract(zip, entry));
            assertTrue(changed.getMessage().contains(url) && changed.getMessage().contains("remount"),
                    changed.getMessage());
        }
    }

    @Test
    void aServerIgnoringRangeServesASmallObjectFromOneDownloadAndRefusesALargeOne() throws Exception {
        http.ignoreRange = true;
        try (ArtifactReader zip = open(url("builds/app.zip"))) {
            int before = http.gets.get();
            List<IndexEntry> index = Indexes.index(zip);
            assertEquals(Trees.describe(tree), Indexes.describe(index));
            assertEveryFileAsInTree(zip, index);
            assertEquals(1, http.gets.get() - before, "the whole zip, once");
        }
        long size = Files.size(served.resolve("builds/app.zip"));
        IOException refused = assertThrows(IOException.class, () -> {
            try (ArtifactReader zip = open(url("builds/app.zip"), HttpSettings.defaults().withWholeObjectLimit(size - 1))) {
                Indexes.index(zip);
            }
        });
        assertTrue(refused.getMessage().contains("ignores Range requests") && refused.getMessage().contains(
                "http.whole-object-limit"), refused.getMessage());
    }

    /** Every regular file below the tree (symlinks followed, as a web server does) with its size. */
    private static Map<String, Long> filesOf(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toMap(p -> root.relativize(p).toString(), p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, (a, b) -> a, TreeMap::new));
        }
    }

    @Test
    void aPrefixIsTheTreeOfTheServersIndexPages() throws Exception {
        Files.createDirectories(served.resolve("tree"));
        Commands.check(work, "cp", "-a", "tree/pkg", "served/tree/");
        Files.writeString(served.resolve("tree/pkg/lib/a&b <c> #1 %41.txt"), "odd name");
        try (ArtifactReader prefix = open(url("tree/"))) {
            int heads = http.heads.get();
            Map<String, Long> sizes = Indexes.index(prefix).stream()
                    .collect(Collectors.toMap(IndexEntry::path, IndexEntry::size, (a, b) -> a, TreeMap::new));
            assertEquals(filesOf(served.resolve("tree")), sizes);
            assertEquals(0, http.heads.get() - heads, "the listing made for the identity serves the index");
            for (IndexEntry entry : Indexes.index(prefix)) {
                assertArrayEquals(Files.readAllBytes(served.resolve("tree").resolve(entry.path())), extract(prefix, entry),
                        entry.path());
            }
        }
    }

    private static ArtifactReader openByName(String uri) throws IOException {
        return open(uri, HttpSettings.defaults().withListing(HttpListing.NONE, Duration.ofSeconds(7)));
    }

    @Test
    void aPrefixFoundByNameListsNothingAndFindsFilesAndDirectoriesOnePathAtATime() throws Exception {
        Files.createDirectories(served.resolve("named"));
        Commands.check(work, "cp", "-a", "tree/pkg", "served/named/");
        try (ArtifactReader prefix = openByName(url("named/"))) {
            assertEquals(List.of(), Indexes.index(prefix));
            assertEquals(Duration.ofSeconds(7), prefix.byName().orElseThrow().missingFor());
            EntryFinder finder = prefix.byName().orElseThrow();

            IndexEntry file = finder.find("pkg/lib/ünï.txt").orElseThrow();
            assertEquals(EntryType.FILE, file.type());
            assertEquals("utf-8 name", new String(extract(prefix, file), StandardCharsets.UTF_8));
            IndexEntry dated = finder.find("pkg/lib/f1.bin").orElseThrow();
            assertEquals(java.time.Instant.parse("2004-02-29T12:00:00Z").getEpochSecond(), dated.mtimeSec());

            int requests = http.requests.size();
            assertEquals(EntryType.DIRECTORY, finder.find("pkg/lib").orElseThrow().type());
            assertEquals(List.of("HEAD /named/pkg/lib", "HEAD /named/pkg/lib/"),
                    http.requests.subList(requests, http.requests.size()), "the redirect to lib/ says directory");

            http.autoindex = false;
            http.directoryRedirects = false;
            assertEquals(EntryType.DIRECTORY, finder.find("pkg/bin").orElseThrow().type(),
                    "missing as a file, forbidden as a directory: a directory without an index page");
            assertEquals(Optional.empty(), finder.find("pkg/nothing"));
        }
        http.autoindex = true;
        try (ArtifactReader again = openByName(url("named/")); ArtifactReader listed = open(url("named/"))) {
            assertEquals("by-name", again.identity(), "the same at every mount: what was found stays in the store");
            assertFalse(listed.byName().isPresent());
        }
    }

    @Test
    void aServerRefusingHeadIsAskedForTheFirstByteInstead() throws Exception {
        http.headAllowed = false;
        try (ArtifactReader zip = open(url("builds/app.zip"))) {
            assertEquals(HttpTestServer.etag(served.resolve("builds/app.zip")), zip.identity());
            assertEquals(Trees.describe(tree), Indexes.describe(Indexes.index(zip)));
        }
        assertTrue(http.heads.get() > 0);
    }

    @Test
    void redirectsAreFollowedWithinALimitAndCredentialsStayWithTheirOrigin() throws Exception {
        try (HttpTestServer mirror = new HttpTestServer(served)) {
            http.redirect("/moved/app.zip", mirror.endpoint + "/builds/app.zip");
            HttpSettings bearer = HttpSettings.defaults().withCredentials("s3cret", null, null, null);
            try (ArtifactReader zip = open(url("moved/app.zip#zip"), bearer)) {
                assertEquals(Trees.describe(tree), Indexes.describe(Indexes.index(zip)));
            }
            assertTrue(http.authorizations.stream().allMatch("Bearer s3cret"::equals), http.authorizations.toString());
            assertFalse(mirror.authorizations.isEmpty());
            assertTrue(mirror.authorizations.stream().allMatch(String::isEmpty), "another origin gets no credentials");
        }
        http.redirect("/loop.zip", "/loop.zip");
        IOException loop = assertThrows(IOException.class, () -> open(url("loop.zip")));
        assertTrue(loop.getMessage().contains("more than " + HttpObjectStore.MAX_REDIRECTS + " redirects"),
                loop.getMessage());
    }

    @Test
    void credentialsComeFromTheEnvironmentOrNetrcAndAreNeverShown() throws Exception {
        http.requiredAuthorization = "Basic " + Base64.getEncoder().encodeToString("ann:pw 1".getBytes(StandardCharsets.UTF_8));
        IOException refused = assertThrows(IOException.class, () -> open(url("builds/app.zip")));
        assertTrue(refused.getMessage().contains("401") && refused.getMessage().contains("THAWFS_HTTP_BEARER"),
                refused.getMessage());
        try (ArtifactReader zip = open(url("builds/app.zip"),
                HttpSettings.defaults().withCredentials(null, "ann", "pw 1", null))) {
            assertEquals(Trees.describe(tree), Indexes.describe(Indexes.index(zip)));
        }
        Path netrc = Files.writeString(work.resolve("netrc"),
                "machine example.org login bob password x\nmachine 127.0.0.1\n  login ann\n  password pw2\n");
        HttpSettings fromNetrc = HttpSettings.defaults().withCredentials(null, null, null, netrc);
        http.requiredAuthorization = "Basic " + Base64.getEncoder().encodeToString("ann:pw2".getBytes(StandardCharsets.UTF_8));
        try (ArtifactReader zip = open(url("builds/app.zip"), fromNetrc)) {
            assertEquals(Trees.describe(tree), Indexes.describe(Indexes.index(zip)));
        }
        assertFalse(fromNetrc.withCredentials("tok3n", "ann", "pw 1", netrc).toString().matches(".*(tok3n|pw 1).*"));
        IllegalArgumentException inUrl = assertThrows(IllegalArgumentException.class,
                () -> Artifacts.check("http://ann:hunter2@127.0.0.1/app.zip"));
        assertFalse(inUrl.getMessage().contains("hunter2"), inUrl.getMessage());
    }

    @Test
    void aServerThatStallsMidBodyFailsTheReadInsteadOfHangingIt() throws Exception {
        // a zip: a tar's header scan would have kept this 1 MiB file, and fetch nothing more
        try (ArtifactReader zip = open(url("builds/app.zip"), HttpSettings.defaults().withRequestTimeout(Duration.ofSeconds(1)))) {
            IndexEntry big = Indexes.index(zip).stream().filter(e -> e.path().equals("pkg/lib/f4.bin")).findFirst()
                    .orElseThrow();
            http.stallAfter = 1000;
            TransientFetchException stalled = assertThrows(TransientFetchException.class,
                    () -> zip.extract(big.locator(), big.size(), OutputStream.nullOutputStream()));
            assertTrue(stalled.getMessage().contains("no bytes arrived"), stalled.getMessage());
            assertEquals(1, zip.counters().retries());
        }
    }

    @Test
    void sourcesThatCannotBeReadAreRefusedBeforeAnyRequest() {
        for (String source : new String[] {"https://example.org/lib.bin", "https:///app.zip",
            "https://example.org/app.zip?token=1", "https://example.org/a b.zip"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> Artifacts.check(source));
            assertTrue(refused.getMessage().contains(source), refused.getMessage());
        }
        Artifacts.check("https://example.org/lib.bin#zip");
        Artifacts.check("https://example.org/repo/");
        assertEquals("https://example.org/a%20b/%C3%BC.zip#zip", Artifacts.uri("https://example.org/a%20b/ü.zip#zip"));
    }
}
