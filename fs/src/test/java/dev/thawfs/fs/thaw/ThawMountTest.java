package dev.thawfs.fs.thaw;

import static dev.thawfs.fs.testing.FuseTestSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.MountOptions;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.testing.FuseTestSupport;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.ContentSource;
import dev.thawfs.store.DirectorySource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import dev.thawfs.testkit.Commands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The thawfs filesystem on a real mount over a real store: lazy fetch, then passthrough. */
class ThawMountTest {
    private static final long THRESHOLD = 1 << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @TempDir
    Path work;
    private Path source;
    private Store store;
    private FuseSession session;
    private long readAhead;
    private long sequentialReadAhead;
    private Duration fetchTimeout = TIMEOUT;

    @BeforeEach
    void setUp() throws IOException {
        FuseTestSupport.assumeFuse();
        source = work.resolve("artifact");
        Random random = new Random(9);
        Files.createDirectories(source.resolve("lib"));
        Files.createDirectories(source.resolve("bin"));
        for (int i = 0; i < 5; i++) {
            byte[] data = new byte[20_000 * (i + 1)];
            random.nextBytes(data);
            Files.write(source.resolve("lib/part" + i + ".jar"), data);
        }
        byte[] big = new byte[6 << 20];
        random.nextBytes(big);
        Files.write(source.resolve("data.bin"), big);
        Files.writeString(source.resolve("bin/run.sh"), "#!/bin/sh\necho from-artifact\n");
        Files.setPosixFilePermissions(source.resolve("bin/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setLastModifiedTime(source.resolve("lib/part0.jar"), FileTime.from(Instant.parse("2011-01-01T00:00:00Z")));
        Files.createSymbolicLink(source.resolve("latest.jar"), Path.of("lib/part4.jar"));
        store = Store.open(work.resolve("store"), StoreOptions.defaults());
    }

    @AfterEach
    void tearDown() throws IOException {
        if (session != null) {
            session.close();
        }
        store.close();
        FuseTestSupport.assertNoMountsLeft(work);
    }

    private Path mount(ContentSource content, PassthroughPolicy mode, Layer... layers) throws IOException {
        session = FuseSession.mount(Files.createDirectory(work.resolve("mnt")),
                new ThawFilesystem(store, List.of(layers), content, new ThawOptions(THRESHOLD, fetchTimeout, readAhead, sequentialReadAhead)),
                MountOptions.defaults("thawfs-test").withPassthrough(mode).withBackingProbe(store.directory()));
        FuseTestSupport.assertTransport(session);
        return session.mountpoint();
    }

    /** Mounts the source with the directory {@code other} as a layer above it, at the root and at {@code morePaths}. */
    private Path mountWithLayerAbove(Path other, String... morePaths) throws IOException {
        DirectorySource base = new DirectorySource(source);
        DirectorySource top = new DirectorySource(other);
        Artifact first = importSource(base, "1");
        Artifact second = store.importArtifact("file:" + other, "1", top.entries().iterator());
        ContentSource both = (artifact, node, target) ->
                (artifact.id() == first.id() ? base : top).copy(artifact, node, target);
        List<Layer> layers = new java.util.ArrayList<>(List.of(new Layer(first, ""), new Layer(second, "")));
        for (String path : morePaths) {
            layers.add(new Layer(second, path));
        }
        return mount(both, PassthroughPolicy.AUTO, layers.toArray(Layer[]::new));
    }

    private Artifact importSource(DirectorySource content, String identity) throws IOException {
        return store.importArtifact("file:" + content.root, identity, content.entries().iterator());
    }

    private static String state(Path file) throws Exception {
        return NativeFiles.getxattr(file, ThawFilesystem.STATE_XATTR);
    }

    @Test
    void requiredPassthroughThatCannotBeCheckedFailsTheMountAndLeavesNothingMounted() throws Exception {
        DirectorySource content = new DirectorySource(source);
        Layer layer = new Layer(importSource(content, "1"), "");
        Path mountpoint = Files.createDirectory(work.resolve("mnt"));
        MountException refused = assertThrows(MountException.class, () -> FuseSession.mount(mountpoint,
                new ThawFilesystem(store, List.of(layer), content, new ThawOptions(THRESHOLD, fetchTimeout, readAhead, sequentialReadAhead)),
                MountOptions.defaults("thawfs-test").withPassthrough(PassthroughPolicy.REQUIRE)
                        .withBackingProbe(work.resolve("no-such-store"))));
        assertTrue(refused.getMessage().contains("cannot be checked")
                && refused.getMessage().contains("--passthrough auto"), refused.getMessage());
        FuseTestSupport.assertNoMountsLeft(work);
    }

    @Test
    void filesAreColdUntilOpenedThenTheKernelReadsThemWithoutTheDaemon() throws Exception {
        DirectorySource content = new DirectorySource(source);
        Path mnt = mount(content, PassthroughPolicy.AUTO, new Layer(importSource(content, "1"), ""));
        FuseTestSupport.assumePassthrough(session.tier());
        Path jar = mnt.resolve("lib/part3.jar");
        assertEquals("cold", state(jar));
        assertEquals(0, content.copies.get(), "a mount fetches nothing");
        assertEquals(List.of("bin", "data.bin", "latest.jar", "lib"), list(mnt));
        assertEquals(Files.size(source.resolve("lib/part3.jar")), Files.size(jar));

        try (InputStream in = Files.newInputStream(jar)) {
            assertEquals("passthrough", state(jar));
            in.readAllBytes();
        }
        assertEquals(sha256(source.resolve("lib/part3.jar")), sha256(jar));
        assertEquals(1, content.copies.get(), "one fetch, then the store");
        assertEquals(0, session.stats().requests(Opcode.READ), session.stats().toJson());
        assertEquals("file:" + source + "!lib/part3.jar", NativeFiles.getxattr(jar, ThawFilesystem.SOURCE_XATTR));
        assertEquals("from-artifact", Commands.check(null, mnt.resolve("bin/run.sh").toString()));
        assertEquals("lib/part4.jar", Files.readSymbolicLink(mnt.resolve("latest.jar")).toString());
        assertEquals(FileTime.from(Instant.parse("2011-01-01T00:00:00Z")),
                Files.getLastModifiedTime(mnt.resolve("lib/part0.jar")));
    }

    @Test
    void aDirectorysFirstColdOpenFetchesSmallerNeighboursAndItsSecondTheRestWithinTheReadAheadBudget() throws Exception {
        readAhead = 100_000; // parts of 20, 40, 60, 80 and 100 kB
        DirectorySource content = new DirectorySource(source);
        Path mnt = mount(content, PassthroughPolicy.AUTO, new Layer(importSource(content, "1"), ""));
        Files.readAllBytes(mnt.resolve("lib/part1.jar"));
        awaitState(mnt.resolve("lib/part0.jar"), "materialized");
        assertEquals("cold", state(mnt.resolve("lib/part2.jar")), "larger than the file opened");
        assertEquals(2, content.copies.get());

        Files.readAllBytes(mnt.resolve("lib/part4.jar"));
        awaitState(mnt.resolve("lib/part2.jar"), "materialized");
        assertEquals("cold", state(mnt.resolve("lib/part3.jar")), "over the budget once part2 is in");
        assertEquals(4, content.copies.get());
        Files.readAllBytes(mnt.resolve("lib/part3.jar"));
        assertEquals("cold", state(mnt.resolve("bin/run.sh")), "read-ahead stays in the directory");
        assertEquals(5, content.copies.get());
        assertEquals(sha256(source.resolve("lib/part2.jar")), sha256(mnt.resolve("lib/part2.jar")));
    }

    @Test
    void aFileOpenedAgainWhileColdIsNoSecondFileOfItsDirectory() throws Exception {
        readAhead = 100_000; // parts of 20, 40, 60, 80 and 100 kB
        fetchTimeout = ThawOptions.defaults().fetchTimeout(); // the opens wait while part2 is held back
        DirectorySource content = new DirectorySource(source);
        CountDownLatch part2Released = new CountDownLatch(1);
        ContentSource holdingPart2 = (artifact, node, target) -> {
            if (node.name().equals("part2.jar")) {
                try {
                    part2Released.await();
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }
            content.copy(artifact, node, target);
        };
        Path mnt = mount(holdingPart2, PassthroughPolicy.AUTO, new Layer(importSource(content, "1"), ""));
        Path part2 = mnt.resolve("lib/part2.jar");
        ExecutorService openers = Executors.newFixedThreadPool(2);
        try {
            Future<byte[]> first = openers.submit(() -> Files.readAllBytes(part2));
            awaitState(mnt.resolve("lib/part0.jar"), "materialized"); // the smaller neighbours
            awaitState(mnt.resolve("lib/part1.jar"), "materialized");
            // as the kernel opens again when a signal interrupted the first open, or a program opens twice
            Future<byte[]> again = openers.submit(() -> Files.readAllBytes(part2));
            awaitRequests(Opcode.OPEN, 2);
            part2Released.countDown();
            assertArrayEquals(Files.readAllBytes(source.resolve("lib/part2.jar")), first.get());
            assertArrayEquals(first.get(), again.get());
        } finally {
            part2Released.countDown();
            openers.shutdown();
        }

        Files.readAllBytes(mnt.resolve("lib/part3.jar")); // the directory's second file: the rest it can afford
        awaitState(mnt.resolve("lib/part4.jar"), "materialized");
        assertEquals(5, content.copies.get(), "each part once");
    }

    @Test
    void aResolverReadingTheChecksumsOfARepositoryDoesNotPullThePackagesBesideThem() throws Exception {
        readAhead = ThawOptions.defaults().readAheadBytes();
        sequentialReadAhead = ThawOptions.defaults().sequentialReadAheadBytes();
        Path repository = work.resolve("repository");
        List<String> checksums = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            Path jar = Files.createDirectories(repository.resolve("maven/org/example/lib" + i + "/1." + i))
                    .resolve("lib" + i + "-1." + i + ".jar");
            Files.write(jar, new byte[100_000]);
            Files.writeString(jar.resolveSibling(jar.getFileName() + ".sha256"), sha256(jar) + "\n");
            checksums.add(repository.relativize(jar) + ".sha256");
        }
        DirectorySource content = new DirectorySource(repository);
        Path mnt = mount(content, PassthroughPolicy.AUTO, new Layer(importSource(content, "1"), ""));
        for (String checksum : checksums) { // in listing order: every other file of the prefix
            Files.readAllBytes(mnt.resolve(checksum));
        }
        for (String checksum : checksums) {
            assertEquals("cold", state(mnt.resolve(checksum.substring(0, checksum.length() - ".sha256".length()))));
        }
        assertEquals(checksums.size(), content.copies.get(), "the checksums, nothing more");
    }

    /** A mount of {@link #scanTree}'s artifact with sequential read-ahead, and what its content source was asked. */
    private record Scan(List<String> files, DirectorySource content, List<Integer> announced, Path mnt) {
    }

    private Scan mountScanTree() throws Exception {
        sequentialReadAhead = 1 << 20;
        List<String> files = scanTree(work.resolve("scan"));
        DirectorySource content = new DirectorySource(work.resolve("scan"));
        List<Integer> announced = new CopyOnWriteArrayList<>();
        Path mnt = mount(announcing(content, announced), PassthroughPolicy.AUTO,
                new Layer(importSource(content, "1"), ""));
        return new Scan(files, content, announced, mnt);
    }

    /** An artifact of 6 directories of 10 files of 1000 bytes, each file's bytes its own; returns its files in order. */
    private static List<String> scanTree(Path root) throws IOException {
        List<String> files = new ArrayList<>();
        for (int d = 0; d < 6; d++) {
            for (int f = 0; f < 10; f++) {
                Path file = Files.createDirectories(root.resolve("d" + d)).resolve("f" + f);
                byte[] bytes = new byte[1000];
                Arrays.fill(bytes, (byte) (d * 10 + f));
                Files.write(file, bytes);
                files.add(root.relativize(file).toString());
            }
        }
        return files;
    }

    /** {@code content}, with the batches of files announced to it (a fetcher fetches each in a few requests). */
    private static ContentSource announcing(DirectorySource content, List<Integer> announced) {
        return new ContentSource() {
            @Override
            public void copy(Artifact artifact, dev.thawfs.store.Node node, WritableByteChannel target)
                    throws IOException {
                content.copy(artifact, node, target);
            }

            @Override
            public void expect(List<dev.thawfs.store.Node> files) {
                announced.add(files.size());
            }
        };
    }

    @Test
    void aScanInArchiveOrderFetchesTheFilesAheadAcrossDirectories() throws Exception {
        Scan scan = mountScanTree();
        List<String> files = scan.files();
        Path mnt = scan.mnt();
        int opened = 11; // the first directory, then on into the next
        for (String file : files.subList(0, opened)) {
            Files.readAllBytes(mnt.resolve(file));
        }
        awaitState(mnt.resolve(files.get(files.size() - 1)), "materialized");
        assertEquals(List.of(files.size() - opened), scan.announced(),
                "every later file, announced at once (fetched together from an archive)");
        for (String file : files) {
            assertEquals(sha256(work.resolve("scan").resolve(file)), sha256(mnt.resolve(file)), file);
        }
        assertEquals(files.size(), scan.content().copies.get(), "each file fetched once");
    }

    @Test
    void opensOutOfArchiveOrderFetchNothingAhead() throws Exception {
        Scan scan = mountScanTree();
        List<String> files = scan.files();
        Path mnt = scan.mnt();
        int opened = 30;
        for (int i = 0; i < opened; i++) {
            Files.readAllBytes(mnt.resolve(files.get(i * 7 % files.size()))); // never the next file
        }
        assertEquals(List.of(), scan.announced());
        assertEquals(opened, scan.content().copies.get());
    }

    @Test
    void aLargeColdFileIsServedWhileItStreamsAndPassesThroughOnceComplete() throws Exception {
        DirectorySource content = new DirectorySource(source);
        Path mnt = mount(content, PassthroughPolicy.AUTO, new Layer(importSource(content, "1"), ""));
        FuseTestSupport.assumePassthrough(session.tier());
        Path big = mnt.resolve("data.bin");
        assertEquals(sha256(source.resolve("data.bin")), sha256(big), "served by the daemon while cold");
        long coldReads = session.stats().requests(Opcode.READ);
        assertTrue(coldReads > 0);
        awaitState(big, "materialized");
        assertEquals(sha256(source.resolve("data.bin")), sha256(big));
        assertEquals(coldReads, session.stats().requests(Opcode.READ), "complete: the next open passes through");
    }

    @Test
    void layersMergeDirectoriesAndSitAtTheirPaths() throws Exception {
        Path other = work.resolve("other");
        Files.createDirectories(other.resolve("lib"));
        Files.writeString(other.resolve("lib/extra.jar"), "extra");
        Files.writeString(other.resolve("lib/part0.jar"), "shadowing part0");
        Path mnt = mountWithLayerAbove(other, "opt/plugins");

        assertEquals(List.of("bin", "data.bin", "latest.jar", "lib", "opt"), list(mnt));
        assertEquals(List.of("extra.jar", "part0.jar", "part1.jar", "part2.jar", "part3.jar", "part4.jar"),
                list(mnt.resolve("lib")));
        assertEquals("shadowing part0", Files.readString(mnt.resolve("lib/part0.jar")), "the higher layer wins");
        assertEquals("extra", Files.readString(mnt.resolve("opt/plugins/lib/extra.jar")));
    }

    @Test
    void aLargeMergedDirectoryListsEveryNameOnceAcrossManyPages() throws Exception {
        Path other = work.resolve("other");
        Files.createDirectories(other.resolve("lib"));
        java.util.TreeSet<String> expected = new java.util.TreeSet<>(list(source.resolve("lib")));
        for (int i = 0; i < 700; i++) {
            String name = "more-" + i + "-" + "n".repeat(i % 50) + ".jar";
            Files.writeString((i % 2 == 0 ? other : source).resolve("lib").resolve(name), name);
            expected.add(name);
        }
        Files.writeString(other.resolve("lib/part2.jar"), "shadowing part2");
        Path mnt = mountWithLayerAbove(other);

        List<String> listed = list(mnt.resolve("lib"));
        assertEquals(List.copyOf(expected), listed, "sorted, and no name twice");
        List<String> unsorted = Commands.check(null, "ls", "-f", mnt.resolve("lib").toString()).lines().toList();
        assertEquals(expected, new java.util.TreeSet<>(unsorted), "READDIR without attributes too");
        assertEquals(expected.size(), unsorted.size());
        assertEquals("shadowing part2", Files.readString(mnt.resolve("lib/part2.jar")));
    }

    @Test
    void aFailingBackendFailsColdOpensButNotWhatIsLocal() throws Exception {
        DirectorySource content = new DirectorySource(source);
        Artifact artifact = importSource(content, "1");
        store.materialize(store.child(store.child(artifact.rootId(), "lib").orElseThrow().id(), "part1.jar")
                .orElseThrow(), content, dev.thawfs.store.Progress.NONE).get();
        ContentSource offline = (a, node, target) -> {
            throw new IOException("connection refused");
        };
        Path mnt = mount(offline, PassthroughPolicy.AUTO, new Layer(artifact, ""));
        assertEquals(sha256(source.resolve("lib/part1.jar")), sha256(mnt.resolve("lib/part1.jar")),
                "prefetched content works with the backend down");
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> Files.readAllBytes(mnt.resolve("lib/part2.jar")));
        assertTrue(String.valueOf(e.getReason()).contains("Input/output error"), e.toString());
        assertEquals("cold", state(mnt.resolve("lib/part2.jar")));
    }

    @Test
    void aStuckBackendFailsColdReadsWithinTheTimeoutWhileLocalFilesWork() throws Exception {
        DirectorySource content = new DirectorySource(source);
        Artifact artifact = importSource(content, "1");
        long lib = store.child(artifact.rootId(), "lib").orElseThrow().id();
        store.materialize(store.child(lib, "part0.jar").orElseThrow(), content, dev.thawfs.store.Progress.NONE).get();
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        ContentSource stuck = (a, node, target) -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
            }
        };
        Path mnt = mount(stuck, PassthroughPolicy.AUTO, new Layer(artifact, ""));
        long start = System.nanoTime();
        FileSystemException small = assertThrows(FileSystemException.class,
                () -> Files.readAllBytes(mnt.resolve("lib/part2.jar")));
        assertTrue(String.valueOf(small.getReason()).contains("Input/output error"), small.toString());
        try (InputStream big = Files.newInputStream(mnt.resolve("data.bin"))) {
            IOException read = assertThrows(IOException.class, () -> big.read(new byte[4096]));
            assertTrue(String.valueOf(read.getMessage()).contains("Input/output error"), read.toString());
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(TIMEOUT.multipliedBy(10)) < 0,
                "bounded by the timeout, not hung");
        assertEquals(sha256(source.resolve("lib/part0.jar")), sha256(mnt.resolve("lib/part0.jar")),
                "materialized files keep working");
    }

    @Test
    void withoutPassthroughTheDaemonServesMaterializedFilesFromTheStore() throws Exception {
        DirectorySource content = new DirectorySource(source);
        Path mnt = mount(content, PassthroughPolicy.OFF, new Layer(importSource(content, "1"), ""));
        for (int i = 0; i < 5; i++) {
            assertEquals(sha256(source.resolve("lib/part" + i + ".jar")), sha256(mnt.resolve("lib/part" + i + ".jar")));
        }
        assertEquals(sha256(source.resolve("data.bin")), sha256(mnt.resolve("data.bin")));
        assertTrue(session.stats().requests(Opcode.READ) > 0);
    }

    @ParameterizedTest
    @EnumSource(value = PassthroughPolicy.class, names = {"AUTO", "OFF"})
    void readsOfAColdFileThatStreamsSlowlyWaitForTheirBytes(PassthroughPolicy mode) throws Exception {
        DirectorySource content = new DirectorySource(source);
        Path mnt = mount(trickle(5), mode, new Layer(importSource(content, "1"), ""));
        assertEquals(sha256(source.resolve("data.bin")), sha256(mnt.resolve("data.bin")), "no short read, no stale byte");
    }

    @ParameterizedTest
    @EnumSource(value = PassthroughPolicy.class, names = {"AUTO", "OFF"})
    void aColdLargeFileMapsSharedAndPrivateOnItsFirstOpenAndPassesThroughOnceUnmapped(PassthroughPolicy mode)
            throws Exception {
        DirectorySource content = new DirectorySource(source);
        Path mnt = mount(trickle(20), mode, new Layer(importSource(content, "1"), ""));
        Path big = mnt.resolve("data.bin");
        String expected = sha256(source.resolve("data.bin"));
        // as the JVM maps lib/modules: shared, read-only, while the file still streams in
        String maps = "import hashlib, mmap, os, sys\n"
                + "f = os.open(sys.argv[1], os.O_RDONLY)\n"
                + "for flags in (mmap.MAP_SHARED, mmap.MAP_PRIVATE):\n"
                + "    print(hashlib.sha256(mmap.mmap(f, 0, flags, mmap.PROT_READ)).hexdigest())\n";
        assertEquals(expected + "\n" + expected, Commands.check(null, "python3", "-c", maps, big.toString()));
        assertEquals(expected, sha256(big), "a second open, while or after the maps, reads the same");

        awaitState(big, "materialized");
        try (InputStream in = Files.newInputStream(big)) {
            assertEquals(mode == PassthroughPolicy.OFF || !session.tier().passesThrough() ? "materialized" : "passthrough",
                    state(big), "the mappings are gone: the next open passes through where the kernel can");
            long reads = session.stats().requests(Opcode.READ);
            in.readAllBytes();
            if (session.tier().passesThrough()) {
                assertEquals(reads, session.stats().requests(Opcode.READ), "passed through: no daemon reads");
            }
        }
    }

    /** Content that arrives in 256 KiB pieces, {@code pauseMillis} apart. */
    private ContentSource trickle(long pauseMillis) {
        return (artifact, node, target) -> {
            byte[] all = Files.readAllBytes(source.resolve(new String(node.locator())));
            for (int at = 0; at < all.length; at += 256 << 10) {
                target.write(ByteBuffer.wrap(all, at, Math.min(256 << 10, all.length - at)));
                try {
                    Thread.sleep(pauseMillis);
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
            }
        };
    }

    private static void awaitState(Path file, String expected) throws Exception {
        for (int i = 0; i < 6000 && !state(file).equals(expected); i++) { // up to a minute on a loaded machine
            Thread.sleep(10);
        }
        assertEquals(expected, state(file));
    }

    private void awaitRequests(int opcode, long atLeast) throws InterruptedException {
        for (int i = 0; i < 6000 && session.stats().requests(opcode) < atLeast; i++) { // up to a minute on a loaded machine
            Thread.sleep(10);
        }
        assertTrue(session.stats().requests(opcode) >= atLeast, session.stats().toJson());
    }

    private static List<String> list(Path directory) throws IOException {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

}
