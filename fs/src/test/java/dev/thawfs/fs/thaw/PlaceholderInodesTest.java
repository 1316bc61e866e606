package dev.thawfs.fs.thaw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.DirectorySource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tier A's inode table under concurrent lookups, invalidations and forgets. */
class PlaceholderInodesTest {
    private static final int LINKS = 300;

    @TempDir
    Path work;
    private Store store;
    private LayerTree tree;
    private final RecordingKernel kernel = new RecordingKernel();

    @BeforeEach
    void setUp() throws Exception {
        Path source = Files.createDirectories(work.resolve("src"));
        Files.write(source.resolve("file"), new byte[1000]);
        store = Store.open(work.resolve("store"), StoreOptions.defaults());
        DirectorySource content = new DirectorySource(source);
        List<IndexEntry> entries = new ArrayList<>(content.entries());
        for (int i = 0; i < LINKS; i++) {
            entries.add(new IndexEntry("link" + i, EntryType.HARD_LINK, 0644, 1000, 0, 0, null, "file", null));
        }
        Artifact artifact = store.importArtifact("file:" + source, "1", entries.iterator());
        tree = new LayerTree(store, List.of(new Layer(artifact, "")));
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void namesLookedUpWhileTheInodeIsInvalidatedAreNeverLostOrCorrupted() {
        PlaceholderInodes inodes = new PlaceholderInodes(tree, store, kernel);
        LayerTree.Inode file = tree.lookup(LayerTree.ROOT, "file").orElseThrow();
        long ino = inodes.expose(file, LayerTree.ROOT, "file");
        CompletableFuture<Void> lookups = CompletableFuture.runAsync(() -> {
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < LINKS; i++) {
                    LayerTree.Inode link = tree.lookup(LayerTree.ROOT, "link" + i).orElseThrow();
                    assertEquals(ino, inodes.expose(link, LayerTree.ROOT, "link" + i), "hard links are one inode");
                }
            }
        });
        while (!lookups.isDone()) {
            inodes.attachable(file.node()); // copies the names while the lookups add to them
        }
        lookups.join();
        kernel.invalidated.set(0);
        inodes.attachable(file.node());
        assertEquals(LINKS + 1, kernel.invalidated.get(), "every name the kernel was shown is invalidated");
    }

    /** The kernel side as the inode table sees it: counts backing ids and invalidations. */
    private static final class RecordingKernel implements KernelConnection {
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger invalidated = new AtomicInteger();

        @Override
        public PassthroughTier tier() {
            return PassthroughTier.A;
        }

        @Override
        public int openBacking(Path file) {
            open.incrementAndGet();
            return opened.incrementAndGet();
        }

        @Override
        public void closeBacking(int backingId) {
            open.decrementAndGet();
        }

        @Override
        public int backingIds() {
            return open.get();
        }

        @Override
        public boolean invalidateEntry(long parent, String name) {
            invalidated.incrementAndGet();
            return true;
        }

        @Override
        public boolean invalidateInode(long nodeid, long offset, long length) {
            return true;
        }
    }
}
