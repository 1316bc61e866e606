package dev.thawfs.fs.mirror;

import static dev.thawfs.fs.testing.FuseTestSupport.sha256;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.MountOptions;
import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.fs.testing.FuseTestSupport;
import dev.thawfs.fs.testing.SampleTree;
import dev.thawfs.testkit.Commands;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The mirror on a real FUSE mount: what it shows, how it reads, and what it refuses. */
class MirrorMountTest {
    private static final long BIG_BYTES = 256L << 20;

    @TempDir
    static Path work;
    private static Path source;
    private static Map<String, String> sourceDigests;

    private Path mountpoint;
    private FuseSession session;

    @BeforeAll
    static void createSource() throws IOException {
        FuseTestSupport.assumeFuse();
        source = work.resolve("source");
        SampleTree.create(source, BIG_BYTES);
        sourceDigests = digests(source);
    }

    @AfterAll
    static void nothingLeftMounted() throws IOException {
        FuseTestSupport.assertNoMountsLeft(work);
    }

    @BeforeEach
    void createMountpoint() throws IOException {
        mountpoint = Files.createTempDirectory(work, "mnt");
    }

    @AfterEach
    void unmount() {
        if (session != null) {
            session.close();
        }
    }

    private Path mount(PassthroughPolicy mode) throws IOException {
        session = FuseSession.mount(mountpoint, new MirrorFilesystem(source),
                MountOptions.defaults("thawfs-test").withPassthrough(mode));
        FuseTestSupport.assertTransport(session);
        return mountpoint;
    }

    @Test
    void theMountedTreeEqualsTheSource() throws IOException {
        Path mnt = mount(PassthroughPolicy.AUTO);
        assertEquals(listing(source), listing(mnt), "names, types, modes, sizes, mtimes and link targets");
        assertEquals(sourceDigests, digests(mnt), "contents");
        assertEquals(FileTime.from(SampleTree.OLD), Files.getLastModifiedTime(mnt.resolve("a/b/c/file0")),
                "nanosecond mtimes survive");
    }

    @Test
    void withPassthroughTheDaemonServesNoReads() throws Exception {
        Path mnt = mount(PassthroughPolicy.AUTO);
        FuseTestSupport.assumePassthrough(session.tier());
        Path big = mnt.resolve(SampleTree.BIG);
        try (FileChannel open = FileChannel.open(big)) {
            assertEquals("passthrough", state(big), "the kernel holds the backing file while it is open");
            assertEquals(sourceDigests.get(SampleTree.BIG), sha256(big), "a second open shares the backing id");
        }
        awaitState(big, "materialized"); // the kernel sends RELEASE in the background after close

        assertEquals(0, session.stats().requests(Opcode.READ), session.stats().toJson());
        assertEquals(0, session.stats().readBytes());
        assertTrue(session.stats().requests(Opcode.OPEN) >= 2);
    }

    @Test
    void withPassthroughOffTheDaemonServesReadsFromItsBuffers() throws IOException {
        Path mnt = mount(PassthroughPolicy.OFF);
        assertEquals(PassthroughTier.C, session.tier());
        assertEquals(sourceDigests.get(SampleTree.BIG), sha256(mnt.resolve(SampleTree.BIG)));
        assertTrue(session.stats().requests(Opcode.READ) > 0);
        assertTrue(session.stats().readBytes() >= BIG_BYTES, session.stats().toJson());
        assertEquals(sourceDigests, digests(mnt));
    }

    @ParameterizedTest
    @EnumSource(value = PassthroughPolicy.class, names = {"AUTO", "OFF"})
    void mmapReadsTheSameBytes(PassthroughPolicy mode) throws Exception {
        Path mnt = mount(mode);
        String name = "a/b/c/file5";
        // Mapped in another process: a fault on the mount from this JVM's own Java code could wait
        // for a reply from a worker that itself waits for the safepoint the faulting thread holds up.
        String map = "import hashlib, mmap, os, sys\n"
                + "f = os.open(sys.argv[1], os.O_RDONLY)\n"
                + "print(hashlib.sha256(mmap.mmap(f, 0, mmap.MAP_SHARED, mmap.PROT_READ)).hexdigest())\n";
        assertEquals(sourceDigests.get(name), Commands.check(null, "python3", "-c", map, mnt.resolve(name).toString()));
    }

    @ParameterizedTest
    @EnumSource(value = PassthroughPolicy.class, names = {"AUTO", "OFF"})
    void runsABinaryAndAScriptFromTheMount(PassthroughPolicy mode) throws Exception {
        Path mnt = mount(mode);
        assertEquals("binary-ok", Commands.check(null, mnt.resolve("bin/echo").toString(), "binary-ok"));
        assertEquals("script-ok yes", Commands.check(null, mnt.resolve("bin/hello.sh").toString(), "yes"));
    }

    @ParameterizedTest
    @EnumSource(value = PassthroughPolicy.class, names = {"AUTO", "OFF"})
    void concurrentReadersOfTheSameAndOfDifferentFiles(PassthroughPolicy mode) throws Exception {
        Path mnt = mount(mode);
        List<String> names = List.of("a/b/c/file5", "a/b/c/file4", "a/with space.txt", "a/b/c/file3");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                readers.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        String name = thread % 2 == 0 ? names.get(0) : names.get((thread + round) % names.size());
                        assertEquals(sourceDigests.get(name), sha256(mnt.resolve(name)), name);
                    }
                    return null;
                }));
            }
            for (Future<?> reader : readers) {
                reader.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void missingNamesAndWritesGetTheRightErrors() throws IOException {
        Path mnt = mount(PassthroughPolicy.AUTO);
        assertFalse(Files.exists(mnt.resolve("no-such-file")));
        assertThrows(NoSuchFileException.class, () -> Files.readAllBytes(mnt.resolve("a/no-such-file")));
        Path existing = mnt.resolve("a/with space.txt");
        assertReadOnly(() -> Files.writeString(existing, "x"));
        assertReadOnly(() -> Files.writeString(mnt.resolve("new-file"), "x"));
        assertReadOnly(() -> Files.createDirectory(mnt.resolve("new-dir")));
        assertReadOnly(() -> Files.delete(existing));
        assertReadOnly(() -> Files.setLastModifiedTime(existing, FileTime.fromMillis(0)));
        assertReadOnly(() -> FileChannel.open(existing, StandardOpenOption.WRITE).close());
        assertTrue(Files.exists(source.resolve("a/with space.txt")));
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static void assertReadOnly(IoAction action) {
        FileSystemException e = assertThrows(FileSystemException.class, action::run);
        assertTrue(String.valueOf(e.getReason()).contains("Read-only file system"), e.toString());
    }

    private static String state(Path file) throws ErrnoException {
        return NativeFiles.getxattr(file, MirrorFilesystem.STATE_XATTR);
    }

    private static void awaitState(Path file, String expected) throws ErrnoException {
        for (int i = 0; i < 500 && !state(file).equals(expected); i++) {
            LockSupport.parkNanos(10_000_000);
        }
        assertEquals(expected, state(file));
    }

    /** Every entry below {@code root}: type, permissions, size, mtime and link target, by relative path. */
    private static Map<String, String> listing(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String type = a.isDirectory() ? "dir" : a.isSymbolicLink() ? "link" : a.isRegularFile() ? "file" : "other";
                entries.put(root.relativize(path).toString(), type + " "
                        + java.nio.file.attribute.PosixFilePermissions.toString(a.permissions())
                        + (a.isDirectory() ? "" : " " + a.size()) + " " + a.lastModifiedTime()
                        + (a.isSymbolicLink() ? " -> " + Files.readSymbolicLink(path) : ""));
            }
        }
        return entries;
    }

    private static Map<String, String> digests(Path root) throws IOException {
        Map<String, String> digests = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
                    digests.put(root.relativize(path).toString(), sha256(path));
                }
            }
        }
        return digests;
    }
}
