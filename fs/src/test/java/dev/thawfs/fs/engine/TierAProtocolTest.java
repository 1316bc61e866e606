package dev.thawfs.fs.engine;

import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.OpenFlags;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.fs.thaw.ThawOptions;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.DirectorySource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tier A against the protocol model: realistic sequences (stat, open, read, close, re-lookup,
 * concurrent opens, hard links, large cold files, forget) never make the kernel take an error
 * path, and the backing ids come and go with the inodes.
 */
class TierAProtocolTest {
    private static final long THRESHOLD = 1 << 20;

    @TempDir
    Path work;
    private Store store;
    private KernelModel kernel;
    private ThawFilesystem filesystem;
    private Path source;

    @BeforeEach
    void setUp() throws Exception {
        source = Files.createDirectories(work.resolve("src"));
        Random random = new Random(4);
        byte[] small = new byte[50_000];
        random.nextBytes(small);
        Files.write(source.resolve("small.jar"), small);
        byte[] big = new byte[3 << 20];
        random.nextBytes(big);
        Files.write(source.resolve("big.bin"), big);
        Files.write(Files.createDirectory(source.resolve("lib")).resolve("inner.jar"), small);
        store = Store.open(work.resolve("store"), StoreOptions.defaults());
        DirectorySource content = new DirectorySource(source);
        List<IndexEntry> entries = new java.util.ArrayList<>(content.entries());
        entries.add(new IndexEntry("alias.jar", EntryType.HARD_LINK, 0644, small.length, 0, 0, null, "small.jar", null));
        Artifact artifact = store.importArtifact("file:" + source, "1", entries.iterator());
        filesystem = new ThawFilesystem(store, List.of(new Layer(artifact, "")), content,
                new ThawOptions(THRESHOLD, Duration.ofSeconds(30), 0, 0));
        kernel = new KernelModel(filesystem);
        kernel.start();
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void aSmallFileIsStatOpenedReadClosedAndAttachedOnTheNextLookup() {
        long node = kernel.lookup(1, "small.jar");
        assertNotEquals(0, node);
        assertTrue(node > 0 && (node & (1L << 62)) == 0, "a file's nodeid is its placeholder's inode number");
        assertTrue(kernel.getattr(node), "cold: attributes come from the server");

        KernelModel.Open first = kernel.open(node);
        assertTrue(first.passthrough(), "materialize on open, then passthrough");
        KernelModel.Open second = kernel.open(node);
        assertEquals(first.backingId(), second.backingId(), "one backing id per inode");
        kernel.release(first);
        kernel.release(second);
        awaitInvalidation("small.jar"); // once the content is durable, the kernel is told to look again

        assertEquals(node, kernel.lookup(1, "small.jar"), "same inode after the switch");
        assertTrue(kernel.inode(node).inodePassthrough, "the lookup attached the backing file");
        assertFalse(kernel.getattr(node), "stat no longer reaches the daemon");
        KernelModel.Open third = kernel.open(node);
        assertEquals(first.backingId(), third.backingId());
        kernel.release(third);
        assertEquals(List.of(), kernel.violations);
    }

    @Test
    void withOpenPassthroughAWarmOpenReadCloseCostsTheServerNoRequest() {
        kernel = new KernelModel(filesystem, DeviceConnection.INODE_OPS_MASK | DeviceConnection.OP_OPEN);
        kernel.start();
        long node = kernel.lookup(1, "small.jar");
        kernel.release(kernel.open(node));
        awaitInvalidation("small.jar");
        kernel.lookup(1, "small.jar");
        assertTrue(kernel.inode(node).inodePassthrough);

        int before = kernel.sent.get();
        KernelModel.Open warm = kernel.open(node);
        assertTrue(warm.byKernel() && warm.passthrough());
        assertFalse(kernel.getattr(node));
        kernel.release(warm);
        assertEquals(before, kernel.sent.get(), "open, stat, read and close of an attached file stay in the kernel");
        kernel.evict(node);
        assertEquals(0, kernel.backingIds());
        assertEquals(List.of(), kernel.violations);
    }

    @Test
    void hardLinksAreOneInodeWithOneBacking() {
        long small = kernel.lookup(1, "small.jar");
        long alias = kernel.lookup(1, "alias.jar");
        assertEquals(small, alias, "content-identical entries are hard links of one inode");
        KernelModel.Open open = kernel.open(alias);
        kernel.release(open);
        awaitInvalidation("small.jar");
        kernel.lookup(1, "small.jar");
        kernel.lookup(1, "alias.jar");
        KernelModel.Open again = kernel.open(small);
        assertEquals(open.backingId(), again.backingId());
        kernel.release(again);
        assertEquals(List.of(), kernel.violations);
    }

    @Test
    void aLargeColdFileIsMappedWhileColdAndPassesThroughOnceItsColdOpensAreGone() throws Exception {
        long node = kernel.lookup(1, "big.bin");
        KernelModel.Open cold = kernel.open(node);
        assertEquals(OpenFlags.DIRECT_IO, cold.flags(), "a cold large file is served, not cached");
        kernel.mmapShared(cold); // as the JVM maps lib/modules: the inode is in cached mode now
        ByteBuffer head = kernel.read(cold, 0, 4096);
        assertEquals(4096, head.remaining());
        assertEquals(ByteBuffer.wrap(Files.readAllBytes(source.resolve("big.bin")), 0, 4096), head);
        ByteBuffer tail = kernel.read(cold, (3 << 20) - 100, 4096);
        assertEquals(100, tail.remaining(), "a read past the end is short");

        awaitInvalidation("big.bin"); // complete now
        assertEquals(node, kernel.lookup(1, "big.bin"));
        assertFalse(kernel.inode(node).inodePassthrough, "no attach while a cold open may be in cached mode");
        KernelModel.Open second = kernel.open(node);
        assertFalse(second.passthrough(), "served like the cold open it joins");
        kernel.mmapShared(second);
        assertEquals(4096, kernel.read(second, 8192, 4096).remaining());
        kernel.release(second);
        kernel.release(cold);

        KernelModel.Open warm = kernel.open(node);
        assertTrue(warm.passthrough(), "passthrough once the cold opens are released");
        kernel.mmapShared(warm);
        kernel.release(warm);
        assertTrue(kernel.invalidatedNames.stream().filter("big.bin"::equals).count() >= 2,
                "the last served release lets a lookup attach");
        assertEquals(List.of(), kernel.violations);
    }

    @Test
    void forgettingAnInodeClosesItsBackingAndANewLookupStartsAfresh() {
        long node = kernel.lookup(1, "small.jar");
        kernel.release(kernel.open(node));
        awaitInvalidation("small.jar");
        kernel.lookup(1, "small.jar");
        assertTrue(kernel.inode(node).inodePassthrough);
        assertEquals(1, kernel.backingIds());

        kernel.evict(node);
        assertEquals(0, kernel.backingIds(), "BACKING_CLOSE once the kernel forgot the inode");
        assertEquals(node, kernel.lookup(1, "small.jar"), "the placeholder's inode number is stable");
        assertTrue(kernel.inode(node).inodePassthrough, "materialized: attached on the first lookup");
        assertFalse(kernel.getattr(node));
        assertEquals(List.of(), kernel.violations);
    }

    /** Waits (bounded) for FUSE_NOTIFY_INVAL_ENTRY of {@code name}, sent when its content became durable. */
    private void awaitInvalidation(String name) {
        for (int i = 0; i < 6000; i++) { // up to a minute on a loaded machine
            synchronized (kernel) {
                if (kernel.invalidatedNames.contains(name)) {
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        throw new AssertionError("the kernel was never told to look " + name + " up again");
    }

    @Test
    void directoriesAndMissingNamesNeverCarryABacking() {
        assertEquals(0, kernel.lookup(1, "missing"));
        long lib = kernel.lookup(1, "lib");
        assertNotEquals(0, lib);
        assertFalse(kernel.inode(lib).inodePassthrough, "a directory is never attached");
        long inner = kernel.lookup(lib, "inner.jar");
        kernel.release(kernel.open(inner)); // the directory's only file is local now
        awaitInvalidation("inner.jar");
        assertEquals(lib, kernel.lookup(1, "lib"));
        assertFalse(kernel.inode(lib).inodePassthrough, "nor once its files are local");
        assertTrue(kernel.lookup(lib, "inner.jar") == inner && kernel.inode(inner).inodePassthrough);
        assertEquals(0, kernel.lookup(lib, "missing"));
        assertEquals(List.of(), kernel.violations, "a backing id on a directory is a type mismatch: EIO");
    }
}
