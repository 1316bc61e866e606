package dev.thawfs.store;

import dev.thawfs.config.BadEntryPolicy;
import dev.thawfs.fetcher.BadEntryException;
import dev.thawfs.testkit.CapturedLog;
import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/** Importing indexes into a real RocksDB store and reading the tree back. */
class StoreTreeTest {
    @TempDir
    Path work;

    private static IndexEntry file(String path, long size) {
        return new IndexEntry(path, EntryType.FILE, 0644, size, 1_000_000_000L, 5, null, null, path.getBytes());
    }

    private static IndexEntry directory(String path, int mode) {
        return new IndexEntry(path, EntryType.DIRECTORY, mode, 0, 42, 0, null, null, null);
    }

    private Store open() {
        return Store.open(work.resolve("store"), StoreOptions.defaults());
    }

    @Test
    void importedTreeCanBeWalkedAndListedInNameOrder() {
        try (Store store = open()) {
            Artifact a = store.importArtifact("file:/srv/app.tar", "size=1,mtime=2", List.of(
                    file("lib/b.jar", 10), file("lib/a.jar", 20), directory("lib", 0750),
                    new IndexEntry("bin/run", EntryType.SYMLINK, 0777, 0, 0, 0, "../lib/a.jar", null, null),
                    file("README", 5)).iterator());
            assertTrue(a.complete());
            assertEquals(5, a.entries());
            assertEquals(35, a.bytes());

            Node lib = store.child(a.rootId(), "lib").orElseThrow();
            assertEquals(NodeType.DIRECTORY, lib.type());
            assertEquals(0750, lib.mode(), "an explicit directory entry sets the implicit one's mode");
            assertEquals(List.of("a.jar", "b.jar"), names(store.children(lib.id(), "", 10)));
            assertEquals(List.of("b.jar"), names(store.children(lib.id(), "a.jar", 10)));
            assertEquals(List.of("README", "bin", "lib"), names(store.children(a.rootId(), "", 10)));
            Node run = store.child(store.child(a.rootId(), "bin").orElseThrow().id(), "run").orElseThrow();
            assertEquals("../lib/a.jar", run.linkTarget());
            assertEquals(0120777, run.statMode());
            assertTrue(store.child(a.rootId(), "missing").isEmpty());
            assertEquals(lib, store.node(lib.id()).orElseThrow());
        }
    }

    @Test
    void filesAfterAFileAreItsArtifactsNextFilesInArchiveOrderWithinABudget() {
        try (Store store = open()) {
            Artifact a = store.importArtifact("file:/a.zip", "1", List.of(file("z/c", 10), file("a/b", 20),
                    directory("y", 0755), file("z/d", 30), file("e", 40)).iterator());
            store.importArtifact("file:/b.zip", "1", List.of(file("f", 1)).iterator());
            Node c = store.child(store.child(a.rootId(), "z").orElseThrow().id(), "c").orElseThrow();

            assertEquals(List.of("b", "d", "e"), names(store.filesAfter(c, 100, 10)),
                    "the archive's order, past directories, not into the next artifact");
            assertEquals(List.of("b"), names(store.filesAfter(c, 49, 10)), "stops at the first file over the budget");
            assertEquals(List.of("b", "d"), names(store.filesAfter(c, 100, 2)));
            Node e = store.child(a.rootId(), "e").orElseThrow();
            assertEquals(List.of(), store.filesAfter(e, 100, 10));
        }
    }

    @Test
    void anEntryForTheRootGivesTheRootItsAttributesAndIsNotAChildOfIt() {
        try (Store store = open()) {
            Artifact a = store.importArtifact("file:/dot.tar", "1", List.of(directory("", 0700), file("a", 7)).iterator());
            assertEquals(List.of("a"), names(store.children(a.rootId(), "", 10)));
            assertEquals(0700, store.node(a.rootId()).orElseThrow().mode());
            assertTrue(store.child(a.rootId(), "").isEmpty());
        }
    }

    private static IndexEntry hardLink(String path, String target) {
        return new IndexEntry(path, EntryType.HARD_LINK, 0644, 0, 0, 0, null, target, null);
    }

    @Test
    void duplicateNamesLastOneWinsAndHardLinksAreNamesOfTheTargetsNode() {
        try (Store store = open()) {
            Artifact a = store.importArtifact("s3://b/x.tar", "etag-1", List.of(
                    file("etc/conf", 1), file("etc/conf", 2), hardLink("etc/conf-link", "etc/conf"),
                    hardLink("conf-link2", "etc/conf")).iterator());
            long etc = store.child(a.rootId(), "etc").orElseThrow().id();
            Node conf = store.child(etc, "conf").orElseThrow();
            Node link = store.child(etc, "conf-link").orElseThrow();
            Node link2 = store.child(a.rootId(), "conf-link2").orElseThrow();
            assertEquals(2, conf.size(), "the later entry of the same name wins");
            assertEquals(conf.id(), link.id(), "one node, so one inode and one blob");
            assertEquals(conf.id(), link2.id());
            assertEquals(2, link.size());
            assertEquals(3, conf.nlink());
            assertEquals("conf-link", link.name());
            assertEquals(List.of("conf", "conf-link"), names(store.children(etc, "", 10)));
            assertEquals(List.of("conf-link2", "etc"), names(store.children(a.rootId(), "", 10)));
            assertEquals(2, a.bytes(), "neither hard links nor replaced entries count: " + a);
            assertEquals(3, a.entries(), a.toString());
        }
    }

    @Test
    void aHardLinkMayComeBeforeItsTargetEvenThroughAnotherLink() {
        try (Store store = open()) {
            Artifact a = store.importArtifact("file:/ahead.tar", "1", List.of(hardLink("c", "b"), hardLink("b", "d/a"),
                    file("d/a", 7)).iterator());
            Node target = store.child(store.child(a.rootId(), "d").orElseThrow().id(), "a").orElseThrow();
            for (String name : new String[] {"b", "c"}) {
                Node link = store.child(a.rootId(), name).orElseThrow();
                assertEquals(target.id(), link.id(), name);
                assertEquals(3, link.nlink(), name);
            }
            assertEquals(7, a.bytes());
        }
    }

    @Test
    void aHardLinkedNodeThatLosesItsNameKeepsItsOtherNames() {
        try (Store store = open()) {
            Artifact a = store.importArtifact("file:/appended.tar", "1", List.of(file("a", 7), hardLink("b", "a"),
                    file("a", 3)).iterator());
            Node b = store.child(a.rootId(), "b").orElseThrow();
            assertEquals(7, b.size(), "b is still the first a's content");
            assertEquals(1, b.nlink());
            assertEquals(3, store.child(a.rootId(), "a").orElseThrow().size());
            assertEquals(List.of("a", "b"), names(store.children(a.rootId(), "", 10)));
            assertEquals(10, a.bytes());
        }
    }

    @Test
    void aHardLinkToNothingOrToADirectoryIsABadEntry() {
        List<IndexEntry> toNothing = List.of(file("a", 1), hardLink("b", "nowhere"));
        List<IndexEntry> toDirectory = List.of(directory("d", 0755), hardLink("b", "d"), file("c", 1));
        try (Store store = open(); CapturedLog log = new CapturedLog(BadEntryException.class)) {
            UncheckedIOException missing = assertThrows(UncheckedIOException.class,
                    () -> store.importArtifact("file:/l.tar", "1", toNothing.iterator()));
            assertTrue(missing.getCause() instanceof BadEntryException && missing.getMessage().contains("l.tar, entry b")
                    && missing.getMessage().contains("nowhere"), missing.getMessage());
            UncheckedIOException directory = assertThrows(UncheckedIOException.class,
                    () -> store.importArtifact("file:/l.tar", "2", toDirectory.iterator()));
            assertTrue(directory.getMessage().contains("a directory"), directory.getMessage());
            assertTrue(log.lines().isEmpty(), log.lines().toString());

            Artifact skipped = store.importArtifact("file:/l.tar", "3", toDirectory.iterator(), BadEntryPolicy.SKIP);
            assertEquals(List.of("c", "d"), names(store.children(skipped.rootId(), "", 10)));
            assertEquals(1, log.lines().size(), log.lines().toString());
            assertTrue(log.lines().get(0).contains("l.tar, entry b") && log.lines().get(0).contains("skipped"),
                    log.lines().toString());
        }
    }

    @Test
    void aNameThatIsADirectoryInOneEntryAndNotInAnotherIsLoggedWithTheWinner() {
        try (Store store = open(); CapturedLog log = new CapturedLog(TreeImporter.class)) {
            Artifact a = store.importArtifact("file:/clash.tar", "1", List.of(file("a", 1), file("a/b", 2),
                    new IndexEntry("link", EntryType.SYMLINK, 0777, 0, 0, 0, "/etc", null, null), file("link/passwd", 3),
                    file("d/x", 4), file("d", 5)).iterator());
            assertEquals(List.of(
                    "WARNING file:/clash.tar: two entries claim a, first a file, then the directory of a/b; the later one is mounted",
                    "WARNING file:/clash.tar: two entries claim link, first a symlink, then the directory of link/passwd;"
                            + " the later one is mounted",
                    "WARNING file:/clash.tar: two entries claim d, first a directory, then a file; the later one is mounted"),
                    log.lines());
            Node link = store.child(a.rootId(), "link").orElseThrow();
            assertEquals(3, store.child(link.id(), "passwd").orElseThrow().size());
        }
    }

    @Test
    void reimportingTheSameIdentityIsANoOpAndANewIdentityIsANewArtifact() {
        try (Store store = open()) {
            Artifact first = store.importArtifact("s3://b/a.zip", "etag-1", List.of(file("x", 1)).iterator());
            Iterator<IndexEntry> untouchable = new Iterator<>() {
                @Override
                public boolean hasNext() {
                    throw new AssertionError("a re-import must not read the index");
                }

                @Override
                public IndexEntry next() {
                    throw new AssertionError();
                }
            };
            assertEquals(first, store.importArtifact("s3://b/a.zip", "etag-1", untouchable));
            Artifact changed = store.importArtifact("s3://b/a.zip", "etag-2", List.of(file("y", 1)).iterator());
            assertNotEquals(first.id(), changed.id());
            assertTrue(store.child(changed.rootId(), "x").isEmpty(), "old content is never part of the new artifact");
        }
        try (Store reopened = open()) {
            assertEquals(2, reopened.artifacts().size(), "the index survives a reopen");
            assertTrue(reopened.artifact("s3://b/a.zip", "etag-1").isPresent());
        }
    }

    @Test
    void aLargeIndexImportsInBatches() {
        int count = 60_000;
        try (Store store = open()) {
            Iterator<IndexEntry> entries = IntStream.range(0, count)
                    .mapToObj(i -> file("d" + (i % 100) + "/sub" + (i % 7) + "/f" + i, i)).iterator();
            Artifact a = store.importArtifact("file:/big.tar", "1", entries);
            assertEquals(count, a.entries());
            long d42 = store.child(a.rootId(), "d42").orElseThrow().id();
            long sub = store.child(d42, "sub" + (42 % 7)).orElseThrow().id();
            assertEquals(42, store.child(sub, "f42").orElseThrow().size());
            assertEquals(100, store.children(a.rootId(), "", 1000).size());
        }
    }

    @Test
    void storeIsPrivateAndOwnedByOneProcess() throws Exception {
        try (Store store = open()) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.directory())));
            StoreException busy = assertThrows(StoreException.class, this::open);
            assertTrue(busy.getMessage().contains("in use by another thawfs process"), busy.getMessage());
        }
    }

    @Test
    void anIndexFromANewerThawfsIsRefusedNotMisread() throws Exception {
        open().close();
        try (Options options = new Options()) {
            // rewrite the schema the way a future version would
            List<byte[]> families = RocksDB.listColumnFamilies(options, work.resolve("store/index").toString());
            assertTrue(families.size() >= 7);
        }
        try (Store store = open()) {
            store.importArtifact("u", "i", List.of(file("x", 1)).iterator());
        }
        Index index = Index.open(work.resolve("store/index"));
        index.put(index.meta, "schema".getBytes(), Index.longBytes(Index.SCHEMA + 1), true);
        index.close();
        StoreException refused = assertThrows(StoreException.class, this::open);
        assertTrue(refused.getMessage().contains("newer than this thawfs reads"), refused.getMessage());
    }

    @Test
    void aCorruptIndexIsAClearErrorThatSaysWhatToDo() throws Exception {
        open().close();
        try (var files = Files.list(work.resolve("store/index"))) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith("MANIFEST")) {
                    Files.write(file, "not a manifest".getBytes());
                }
            }
        }
        StoreException e = assertThrows(StoreException.class, this::open);
        assertTrue(e.getMessage().contains("cannot open the store index") && e.getMessage().contains("move the store"),
                e.getMessage());
    }

    @Test
    void aMalformedRecordIsAClearErrorEveryTimeTheStoreIsOpened() throws Exception {
        open().close();
        Index index = Index.open(work.resolve("store/index"));
        index.put(index.meta, Index.BYTES_KEY, new byte[3], true);
        index.close();
        for (int attempt = 0; attempt < 2; attempt++) { // the failed open released the index's lock
            StoreException e = assertThrows(StoreException.class, this::open);
            assertTrue(e.getMessage().contains("malformed 'materialized-bytes' record")
                    && e.getMessage().contains("move the store directory away"), e.getMessage());
        }
    }

    @Test
    void cachedDirectoryPagesAreBoundedByTheNodesTheyHoldNotByTheirCount() {
        int cacheEntries = 1000;
        try (Store store = open()) {
            store.importArtifact("file:/wide.tar", "1",
                    IntStream.range(0, 300).mapToObj(i -> file(String.format("d/f%03d", i), 1)).iterator());
        }
        Index index = Index.open(work.resolve("store/index"));
        try {
            IdAllocator ids = new IdAllocator(index);
            ArtifactCatalog catalog = new ArtifactCatalog(index, ids);
            CachedTree tree = new CachedTree(index, ids, catalog, cacheEntries);
            Artifact wide = catalog.artifacts().get(0);
            long d = tree.child(wide.rootId(), "d").orElseThrow().id();
            for (int max = 300; max > 200; max--) { // a hundred distinct pages of 201..300 nodes
                assertEquals(max, tree.children(d, "", max).size());
            }
            long cached = tree.cachedPageNodes();
            assertTrue(cached > 0 && cached <= cacheEntries, cached + " nodes cached in pages");
        } finally {
            index.close();
        }
    }

    private static List<String> names(List<Node> nodes) {
        return nodes.stream().map(Node::name).toList();
    }
}
