package dev.thawfs.store;

import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Materialization into real blob files from a real directory source, and eviction. */
class MaterializeTest {
    @TempDir
    Path work;
    private DirectorySource source;
    private final Instant old = Instant.parse("2003-03-03T03:03:03.123456789Z");

    @BeforeEach
    void sourceTree() throws IOException {
        Path root = Files.createDirectories(work.resolve("src/lib"));
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] data = new byte[1000 + i * 5000];
            random.nextBytes(data);
            Files.write(root.resolve("f" + i), data);
        }
        Files.setPosixFilePermissions(root.resolve("f3"), PosixFilePermissions.fromString("r-xr-x---"));
        Files.setLastModifiedTime(root.resolve("f3"), FileTime.from(old));
        source = new DirectorySource(work.resolve("src"));
    }

    private Store open(long budget) {
        return Store.open(work.resolve("store"), StoreOptions.defaults().withBudget(budget).withConcurrency(4));
    }

    private List<Node> files(Store store, Artifact artifact) {
        long lib = store.child(artifact.rootId(), "lib").orElseThrow().id();
        return new ArrayList<>(store.children(lib, "", 100));
    }

    @Test
    void contentModeAndMtimeAreTheEntrysAndTheInodeStaysTheSame() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            Node f3 = store.child(store.child(artifact.rootId(), "lib").orElseThrow().id(), "f3").orElseThrow();
            Path placeholder = store.ensurePlaceholder(f3);
            Object inode = Files.getAttribute(placeholder, "unix:ino");
            assertFalse(store.isMaterialized(f3));

            store.materialize(f3, source, Progress.NONE).get();
            Path blob = store.blobPath(f3);
            assertTrue(store.isMaterialized(f3));
            assertEquals(inode, Files.getAttribute(blob, "unix:ino"), "filled in place, not renamed over");
            assertArrayEquals(Files.readAllBytes(source.root.resolve("lib/f3")), Files.readAllBytes(blob));
            assertEquals("r-xr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(blob)));
            assertEquals(FileTime.from(old), Files.getLastModifiedTime(blob, LinkOption.NOFOLLOW_LINKS));
            assertEquals(f3.size(), store.materializedBytes());
        }
    }

    @Test
    void concurrentRequestsForOneFileFetchItOnceAndProgressIsReported() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            AtomicLong bytes = new AtomicLong();
            List<Node> done = new ArrayList<>();
            Progress progress = new Progress() {
                @Override
                public void bytes(long count) {
                    bytes.addAndGet(count);
                }

                @Override
                public synchronized void fileDone(Node node) {
                    done.add(node);
                }
            };
            List<CompletableFuture<Node>> futures = new ArrayList<>();
            for (Node file : files(store, artifact)) {
                for (int i = 0; i < 3; i++) {
                    futures.add(store.materialize(file, source, progress));
                }
            }
            CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).get();
            assertEquals(20, source.copies.get(), "one fetch per file");
            assertEquals(artifact.bytes(), bytes.get());
            assertEquals(artifact.bytes(), store.materializedBytes());
            assertTrue(done.size() >= 20);
            for (Node file : files(store, artifact)) {
                assertArrayEquals(Files.readAllBytes(source.root.resolve("lib/" + file.name())),
                        Files.readAllBytes(store.blobPath(file)));
            }
        }
    }

    @Test
    void aSourceThatGivesTheWrongBytesNeverMakesAServableBlob() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            Node f1 = files(store, artifact).get(1);
            ContentSource truncated = (a, node, target) -> target.write(ByteBuffer.allocate((int) node.size() / 2));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> store.materialize(f1, truncated, Progress.NONE).get());
            MaterializeException cause = assertInstanceOf(MaterializeException.class, e.getCause());
            assertEquals(MaterializeException.Reason.CORRUPT, cause.reason());
            assertTrue(cause.getMessage().contains("f1") && cause.getMessage().contains("file:/src"), cause.getMessage());
            assertFalse(store.isMaterialized(f1));
            ContentSource failing = (a, node, target) -> {
                throw new IOException("connection reset");
            };
            e = assertThrows(ExecutionException.class, () -> store.materialize(f1, failing, Progress.NONE).get());
            assertEquals(MaterializeException.Reason.SOURCE, ((MaterializeException) e.getCause()).reason());
            store.materialize(f1, source, Progress.NONE).get();
            assertTrue(store.isMaterialized(f1), "a later fetch repairs it");
        }
    }

    @Test
    void readersOfALargeFileAreServedWhatIsLocalWhileTheRestStreamsIn() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/big", "1",
                    List.of(new IndexEntry("big", EntryType.FILE, 0644, 3 << 20, 0, 0, null, null, null)).iterator());
            Node big = store.child(artifact.rootId(), "big").orElseThrow();
            CountDownLatch release = new CountDownLatch(1);
            ContentSource slow = (a, node, target) -> {
                target.write(ByteBuffer.allocate(1 << 20));
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                target.write(ByteBuffer.allocate(2 << 20));
            };
            CompletableFuture<Void> firstMiB = store.whenAvailable(big, 1 << 20, slow);
            CompletableFuture<Void> all = store.whenAvailable(big, 3 << 20, slow);
            firstMiB.get(30, TimeUnit.SECONDS);
            assertFalse(all.isDone(), "the rest is still streaming");
            assertFalse(store.isMaterialized(big));
            release.countDown();
            all.get(30, TimeUnit.SECONDS);
            store.materialize(big, slow, Progress.NONE).get(30, TimeUnit.SECONDS);
            assertTrue(store.isMaterialized(big));
        }
    }

    @Test
    void closingTheStoreFailsFetchesThatNeverStartedInsteadOfLeavingThemPending() throws Exception {
        Store store = Store.open(work.resolve("store"), StoreOptions.defaults().withConcurrency(1));
        Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
        List<Node> files = files(store, artifact);
        CountDownLatch started = new CountDownLatch(1);
        ContentSource stuck = (a, node, target) -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // until the store's close interrupts it
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException("interrupted");
            }
        };
        CompletableFuture<Node> running = store.materialize(files.get(0), stuck, Progress.NONE);
        CompletableFuture<Node> queued = store.materialize(files.get(1), stuck, Progress.NONE);
        CompletableFuture<Void> waitingReader = store.whenAvailable(files.get(1), 10, stuck);
        assertTrue(started.await(30, TimeUnit.SECONDS));
        store.close();
        for (CompletableFuture<?> future : List.of(running, queued, waitingReader)) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> future.get(60, TimeUnit.SECONDS));
            assertTrue(failed.getCause() instanceof IOException || failed.getCause() instanceof StoreException,
                    String.valueOf(failed.getCause()));
        }
    }

    @Test
    void aLostBlobFileIsFetchedAgainNeverServedShort() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            Node file = files(store, artifact).get(3);
            store.materialize(file, source, Progress.NONE).get();
            Files.delete(store.blobPath(file));
            assertFalse(store.isMaterialized(file), "a complete mark without its file is not trusted");
            store.materialize(file, source, Progress.NONE).get();
            assertArrayEquals(Files.readAllBytes(source.root.resolve("lib/" + file.name())),
                    Files.readAllBytes(store.blobPath(file)));
            assertEquals(file.size(), store.materializedBytes(), "fetched twice, held once");
            assertEquals(new Materialized(1, file.size()), store.materialized(artifact));
        }
    }

    @Test
    void materializedCountsAreTheWalkedTruthAfterFetchesEvictionAndReopen() throws Exception {
        Artifact first;
        Artifact second;
        try (Store store = open(1L << 30)) {
            first = store.importArtifact("file:/src", "1", source.entries().iterator());
            second = store.importArtifact("file:/src", "2", source.entries().iterator());
            List<Node> secondFiles = files(store, second);
            for (Node file : files(store, first)) {
                store.materialize(file, source, Progress.NONE).get();
            }
            for (Node file : secondFiles.subList(0, 7)) {
                store.materialize(file, source, Progress.NONE).get();
            }
            assertCountsAreTheWalkedTruth(store, first, second);
            assertEquals(7, store.materialized(second).files());

            store.pin(secondFiles.get(0));
            store.evictTo(store.materializedBytes() / 3);
            store.unpin(secondFiles.get(0));
            assertCountsAreTheWalkedTruth(store, first, second);
            assertTrue(store.materialized(second).files() >= 1, "the pinned file stays counted");
        }
        try (Store store = open(1L << 30)) {
            assertCountsAreTheWalkedTruth(store, first, second);
            for (Node file : files(store, second)) {
                store.materialize(file, source, Progress.NONE).get();
            }
            assertCountsAreTheWalkedTruth(store, first, second);
            assertEquals(new Materialized(20, second.bytes()), store.materialized(second));
        }
    }

    @Test
    void aStoreFromBeforeTheCountsIsCountedOnceWhenOpened() throws Exception {
        Artifact artifact;
        try (Store store = open(1L << 30)) {
            artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            for (Node file : files(store, artifact).subList(0, 5)) {
                store.materialize(file, source, Progress.NONE).get();
            }
        }
        Index index = Index.open(work.resolve("store/index"));
        index.put(index.meta, "schema".getBytes(), Index.longBytes(1), true); // as schema 1 left it: no counts
        try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
            batch.delete(index.artifacts, ArtifactKeys.materialized(artifact.id()));
            index.write(batch, true);
        }
        index.close();
        try (Store store = open(1L << 30)) {
            assertEquals(5, store.materialized(artifact).files());
            assertCountsAreTheWalkedTruth(store, artifact);
        }
        index = Index.open(work.resolve("store/index"));
        assertEquals(Index.SCHEMA, index.openedSchema(), "counted once: the next open reads the counts");
        index.close();
    }

    private static void assertCountsAreTheWalkedTruth(Store store, Artifact... artifacts) {
        long total = 0;
        for (Artifact artifact : artifacts) {
            Materialized walked = walkMaterialized(store, artifact.rootId());
            assertEquals(walked, store.materialized(artifact), artifact.toString());
            total += walked.bytes();
        }
        assertEquals(total, store.materializedBytes());
    }

    private static Materialized walkMaterialized(Store store, long directory) {
        Materialized sum = Materialized.NONE;
        for (Node child : store.children(directory, "", Integer.MAX_VALUE)) {
            if (child.isDirectory()) {
                sum = sum.plus(walkMaterialized(store, child.id()));
            } else if (child.isFile() && store.isMaterialized(child)) {
                sum = sum.plus(new Materialized(1, child.size()));
            }
        }
        return sum;
    }

    @Test
    void evictionDropsLeastRecentlyUsedUnpinnedContentAndKeepsTheInode() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            List<Node> files = files(store, artifact); // f0, f1, f10.. in name order
            for (Node file : files) {
                store.materialize(file, source, Progress.NONE).get();
            }
            Node first = files.get(0);
            Node pinned = files.get(1);
            store.touch(first); // now the most recently used
            store.pin(pinned);
            Object inode = Files.getAttribute(store.blobPath(files.get(2)), "unix:ino");

            store.evictTo(0);
            assertTrue(store.isMaterialized(pinned), "pinned content stays");
            assertEquals(pinned.size(), store.materializedBytes());
            assertFalse(store.isMaterialized(first));
            assertEquals(0, Files.size(store.blobPath(files.get(2))));
            assertEquals(inode, Files.getAttribute(store.blobPath(files.get(2)), "unix:ino"), "placeholder kept");

            store.unpin(pinned);
            store.materialize(files.get(2), source, Progress.NONE).get();
            assertTrue(store.isMaterialized(files.get(2)), "evicted content comes back on demand");
        }
    }

    @Test
    void touchOrderDecidesWhatGoesFirst() throws Exception {
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            List<Node> files = files(store, artifact);
            for (Node file : files) {
                store.materialize(file, source, Progress.NONE).get();
            }
            Node recent = files.get(0);
            store.touch(recent);
            store.evictTo(recent.size());
            assertTrue(store.isMaterialized(recent), "the most recently used survives");
            assertEquals(recent.size(), store.materializedBytes());
        }
    }

    @Test
    void aTouchJustBeforeCloseIsKeptAcrossARestart() throws Exception {
        Node recent;
        try (Store store = open(1L << 30)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            List<Node> files = files(store, artifact);
            for (Node file : files) {
                store.materialize(file, source, Progress.NONE).get();
            }
            recent = files.get(0);
            store.touch(recent); // its batch is due in a second; closing must not drop it
        }
        try (Store store = open(1L << 30)) {
            store.evictTo(recent.size());
            assertTrue(store.isMaterialized(recent), "the most recently used survives a restart");
            assertEquals(recent.size(), store.materializedBytes());
        }
    }

    @Test
    void aStoreOverBudgetEvictsByItself() throws Exception {
        try (Store store = open(100_000)) {
            Artifact artifact = store.importArtifact("file:/src", "1", source.entries().iterator());
            for (Node file : files(store, artifact)) {
                store.materialize(file, source, Progress.NONE).get();
            }
            for (int i = 0; i < 6000 && store.materializedBytes() > 100_000; i++) { // up to a minute on a loaded machine
                Thread.sleep(10);
            }
            assertTrue(store.materializedBytes() <= 100_000, "bytes: " + store.materializedBytes());
        }
        try (Store reopened = open(100_000)) {
            assertTrue(reopened.materializedBytes() <= 100_000, "the count is persistent");
        }
    }
}
