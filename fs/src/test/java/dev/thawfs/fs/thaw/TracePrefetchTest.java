package dev.thawfs.fs.thaw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.store.DirectorySource;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Trace replay: listed order, a bounded window, and every path accounted for. */
class TracePrefetchTest {
    @TempDir
    Path work;
    private Store store;
    private LayerTree tree;
    private final List<String> started = new ArrayList<>();
    private final List<CompletableFuture<Node>> running = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        Path source = Files.createDirectories(work.resolve("artifact/lib"));
        for (int i = 0; i < 10; i++) {
            Files.writeString(source.resolve("f" + i), "content " + i);
        }
        store = Store.open(work.resolve("store"), StoreOptions.defaults());
        DirectorySource content = new DirectorySource(work.resolve("artifact"));
        tree = new LayerTree(store, List.of(new Layer(store.importArtifact("file:" + content.root, "1",
                content.entries().iterator()), "app")));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    private synchronized CompletableFuture<Node> fetch(Node node) {
        started.add(tree.mountPath(node));
        CompletableFuture<Node> fetch = new CompletableFuture<>();
        running.add(fetch);
        return fetch;
    }

    private synchronized int inFlight() {
        return (int) running.stream().filter(f -> !f.isDone()).count();
    }

    private synchronized CompletableFuture<Node> oldestRunning() {
        return running.stream().filter(f -> !f.isDone()).findFirst().orElseThrow();
    }

    @Test
    void fetchesInListedOrderWithAtMostTheWindowInFlight() {
        List<String> paths = new ArrayList<>();
        for (int i = 9; i >= 0; i--) {
            paths.add(i == 5 ? "app/lib/absent" : "app/lib/f" + i);
        }
        paths.add("app/lib"); // a directory is no file
        List<List<Node>> announced = new ArrayList<>();
        CompletableFuture<TracePrefetch.Result> done = TracePrefetch.run(paths, tree, announced::add, this::fetch, 3);
        assertEquals(1, announced.size(), "ten files are one batch, announced before the first fetch");
        assertEquals(9, announced.get(0).size(), "every listed file that exists, once");
        for (int round = 0; !done.isDone(); round++) {
            assertTrue(inFlight() <= 3, "window exceeded: " + inFlight());
            CompletableFuture<Node> next = oldestRunning();
            if (round == 2) {
                next.completeExceptionally(new IOException("object store unreachable"));
            } else {
                next.complete(null);
            }
        }
        assertEquals(List.of("app/lib/f9", "app/lib/f8", "app/lib/f7", "app/lib/f6", "app/lib/f4", "app/lib/f3",
                "app/lib/f2", "app/lib/f1", "app/lib/f0"), started);
        TracePrefetch.Result result = done.join();
        assertEquals(8, result.fetched());
        assertEquals(List.of("app/lib/absent", "app/lib"), result.missing());
        assertEquals(List.of("app/lib/f7: object store unreachable"), result.failed());
    }

    @Test
    void filesAlreadyLocalCompleteWithoutWaiting() {
        CompletableFuture<TracePrefetch.Result> done = TracePrefetch.run(List.of("app/lib/f1", "/app/lib/f2"), tree,
                files -> { }, node -> CompletableFuture.completedFuture(node), 1);
        assertTrue(done.isDone());
        assertEquals(2, done.join().fetched());
        assertFalse(done.join().missing().contains("/app/lib/f2"), "a leading slash is the mount's root");
    }
}
