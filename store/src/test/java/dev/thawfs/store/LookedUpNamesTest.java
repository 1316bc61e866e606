package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.config.HttpListing;
import dev.thawfs.config.HttpSettings;
import dev.thawfs.fetcher.ArchiveLimits;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.testkit.HttpTestServer;
import dev.thawfs.fetcher.RangeReader;
import dev.thawfs.fetcher.RetryPolicy;
import dev.thawfs.fetcher.SeekIndexOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Names found by asking a real HTTP server (http.listing = none), kept in a real store. */
class LookedUpNamesTest {
    @TempDir
    Path work;
    private HttpTestServer http;

    @BeforeEach
    void serve() throws Exception {
        Files.createDirectories(work.resolve("served/repo/a"));
        Files.writeString(work.resolve("served/repo/a/c.txt"), "found by name");
        http = new HttpTestServer(work.resolve("served"));
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private Artifact importByName(Store store, FetcherSource source) throws Exception {
        FetchOptions options = new FetchOptions(null, HttpSettings.defaults().withListing(HttpListing.NONE,
                Duration.ofHours(1)), RetryPolicy.defaults(), RangeReader.Parallelism.defaults(), ArchiveLimits.defaults(),
                SeekIndexOptions.defaults());
        return source.importArtifact(store, Artifacts.open(http.endpoint + "/repo/", options, work.resolve("scratch")));
    }

    @Test
    void whatIsFoundJoinsTheTreeForGoodAndWhatIsMissingIsNotAskedForAgain() throws Exception {
        long root;
        try (Store store = Store.open(work.resolve("store"), StoreOptions.defaults());
                FetcherSource source = new FetcherSource()) {
            Artifact artifact = importByName(store, source);
            root = artifact.rootId();
            LookedUpNames names = new LookedUpNames(store, source);
            assertEquals(Optional.of(Duration.ofHours(1)), names.missingFor(List.of(root)));
            assertEquals(List.of(), store.children(root, "", 100)); // cached empty, as a listing would be
            assertEquals(Optional.empty(), store.child(root, "a"));

            assertTrue(names.find(List.of(root), "a").join());
            Node a = store.child(root, "a").orElseThrow();
            assertTrue(a.isDirectory());
            assertEquals(List.of("a"), store.children(root, "", 100).stream().map(Node::name).toList());

            List<CompletableFuture<Boolean>> together = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                together.add(names.find(List.of(a.id()), "c.txt"));
            }
            together.forEach(found -> assertTrue(found.join()));
            assertEquals(1, http.requests.stream().filter("HEAD /repo/a/c.txt"::equals).count(), "one question");
            Node file = store.child(a.id(), "c.txt").orElseThrow();
            assertEquals("found by name".length(), file.size());
            assertEquals("a/c.txt", store.pathInArtifact(file));

            assertFalse(names.find(List.of(a.id()), "missing.txt").join());
            int asked = http.requests.size();
            Files.writeString(work.resolve("served/repo/a/missing.txt"), "published later");
            assertFalse(names.find(List.of(a.id()), "missing.txt").join(), "missing for the negative TTL");
            assertEquals(asked, http.requests.size());
        }
        try (Store store = Store.open(work.resolve("store"), StoreOptions.defaults());
                FetcherSource source = new FetcherSource()) {
            Artifact again = importByName(store, source);
            assertEquals(root, again.rootId(), "the same artifact at every mount");
            assertEquals(2, again.entries());
            Node a = store.child(root, "a").orElseThrow();
            assertEquals(List.of("c.txt"), store.children(a.id(), "", 100).stream().map(Node::name).toList());
        }
    }

    @Test
    void aDirectoryOfACompletelyListedArtifactAsksNothing() throws Exception {
        try (Store store = Store.open(work.resolve("store"), StoreOptions.defaults());
                FetcherSource source = new FetcherSource()) {
            FetchOptions options = new FetchOptions(null, HttpSettings.defaults(), RetryPolicy.defaults(),
                    RangeReader.Parallelism.defaults(), ArchiveLimits.defaults(),
                SeekIndexOptions.defaults());
            Artifact listed = source.importArtifact(store, Artifacts.open(http.endpoint + "/repo/", options,
                    work.resolve("scratch")));
            LookedUpNames names = new LookedUpNames(store, source);
            assertEquals(Optional.empty(), names.missingFor(List.of(listed.rootId())));
            int asked = http.requests.size();
            assertFalse(names.find(List.of(listed.rootId()), "nothing").join());
            assertEquals(asked, http.requests.size());
        }
    }
}
