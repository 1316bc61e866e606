package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystemException;
import java.nio.file.LinkOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * thawfs mount as users run it: its own process, artifacts on a real S3 server (S3Proxy on
 * 127.0.0.1), a real kernel mount, SIGTERM and SIGKILL.
 */
class MountEndToEndTest {
    @TempDir
    Path work;
    private S3ProxyServer s3;
    private Path tree;
    private Path mountpoint;
    private Path store;
    private ThawfsProcesses processes;

    @BeforeEach
    void artifacts() throws Exception {
        FuseTestSupport.assumeFuse();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("builds");
        tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        Commands.check(tree, "tar", "cf", "../app.tar", "pkg");
        Commands.check(tree, "tar", "czf", "../app.tar.gz", "pkg");
        for (String name : new String[] {"app.zip", "app.tar", "app.tar.gz"}) {
            s3.put("builds", name, Files.readAllBytes(work.resolve(name)));
        }
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        store = work.resolve("store");
        processes = new ThawfsProcesses(work);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (processes != null) {
            processes.close();
        }
        s3.close();
        FuseTestSupport.assertNoMountsLeft(work);
    }

    /** Starts {@code thawfs ARGS...} as its own process, its stderr in stderr-N. */
    private Process thawfs(String... args) throws IOException {
        return processes.start(args);
    }

    private static final String[] LAYERS = {"s3://builds/app.zip=zip", "s3://builds/app.tar=tar",
        "s3://builds/app.tar.gz=tgz"};

    private Process mount(String... flags) throws IOException {
        List<String> args = new ArrayList<>(List.of("mount", "--store", store.toString(),
                "--stats", work.resolve("stats.json").toString(), "--s3-endpoint", s3.endpoint.toString(),
                "--fetch-timeout", "5s", "--transport", FuseTestSupport.OVER_URING ? "uring" : "dev"));
        args.addAll(List.of(flags));
        args.addAll(List.of(LAYERS));
        args.add(mountpoint.toString());
        Process process = thawfs(args.toArray(String[]::new));
        for (int i = 0; i < 6000 && process.isAlive(); i++) {
            if (!Mounts.isStale(mountpoint) && Files.exists(mountpoint.resolve("zip"))) {
                return process;
            }
            LockSupport.parkNanos(10_000_000);
        }
        throw new AssertionError("thawfs mount did not come up: " + processes.stderr(process));
    }

    private String stderr(int index) throws IOException {
        return processes.stderr(index);
    }

    private static String state(Path file) throws Exception {
        return NativeFiles.getxattr(file, "user.thawfs.state");
    }

    @Test
    void mountedArtifactsEqualWhatTheToolsExtractAndPassThroughOnceRead() throws Exception {
        Process daemon = mount();
        for (String layer : new String[] {"zip", "tar", "tgz"}) {
            assertEquals(Trees.describe(tree), Trees.describe(mountpoint.resolve(layer)), layer);
        }
        Path jar = mountpoint.resolve("zip/pkg/lib/f4.bin");
        assertEquals("cold", state(jar));
        for (String layer : new String[] {"zip", "tar", "tgz"}) {
            try (var files = Files.walk(mountpoint.resolve(layer))) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Path original = tree.resolve(mountpoint.resolve(layer).relativize(file).toString());
                    assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(file), file.toString());
                }
            }
        }
        try (InputStream open = Files.newInputStream(jar)) {
            assertEquals("passthrough", state(jar));
        }
        assertEquals("ok", Commands.check(null, mountpoint.resolve("tar/pkg/bin/run me.sh").toString()));

        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            Path cold = mountpoint.resolve("tgz/pkg/lib/compressible.txt");
            List<Future<byte[]>> readers = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                readers.add(pool.submit(() -> Files.readAllBytes(cold)));
            }
            for (Future<byte[]> reader : readers) {
                assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/lib/compressible.txt")), reader.get());
            }
        } finally {
            pool.shutdownNow();
        }

        Process status = thawfs("status", "--json", mountpoint.toString());
        assertTrue(status.waitFor(60, TimeUnit.SECONDS));
        String report = Files.readString(work.resolve("stdout-1"));
        assertEquals(0, status.exitValue(), stderr(1));
        assertTrue(report.contains("\"artifact.2.uri\":\"s3://builds/app.tar.gz\"") && report.contains("\"tier\":")
                && report.contains("\"object_store_requests\":") && report.contains("\"passthrough_opens\":")
                && report.contains("\"artifact.0.materialized_files\":"), report);

        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, daemon.exitValue(), stderr(0));
        String stats = Files.readString(work.resolve("stats.json"));
        assertTrue(!stats.contains("\"READ\""), "every file is fetched on open and passed through: " + stats);
        String transport = FuseTestSupport.OVER_URING ? "io_uring" : "/dev/fuse";
        assertTrue(stats.contains("\"transport\":\"" + transport + "\""), "over " + transport + ": " + stats);
    }

    @Test
    void anOutageFailsColdFilesWhileLocalOnesWorkAndARestartAfterKillServesOffline() throws Exception {
        Process daemon = mount();
        Path warm = mountpoint.resolve("tar/pkg/lib/f3.bin");
        byte[] expected = Files.readAllBytes(tree.resolve("pkg/lib/f3.bin"));
        assertArrayEquals(expected, Files.readAllBytes(warm));

        s3.close(); // the object store goes away mid-run
        long start = System.nanoTime();
        FileSystemException cold = assertThrows(FileSystemException.class,
                () -> Files.readAllBytes(mountpoint.resolve("zip/pkg/lib/f2.bin")));
        assertTrue(String.valueOf(cold.getReason()).contains("Input/output error"), cold.toString());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 60, "bounded, not hung");
        assertArrayEquals(expected, Files.readAllBytes(warm), "materialized files keep working");

        daemon.destroyForcibly(); // kill -9: the mount is left stale
        daemon.waitFor(60, TimeUnit.SECONDS);
        assertTrue(Mounts.isStale(mountpoint));
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3-empty"))); // for cleanUp; still no artifacts

        mount();
        assertArrayEquals(expected, Files.readAllBytes(warm), "the store recovered and serves offline");
        assertTrue(stderr(1).contains("cleaned a stale FUSE mount"), stderr(1));
        assertTrue(stderr(1).contains("using the copy imported before"), stderr(1));
    }

    @Test
    void prefetchThenMountWithTheObjectStoreStoppedServesEveryPrefetchedFile() throws Exception {
        Process prefetch = thawfs("prefetch", "--store", work.resolve("store").toString(), "--s3-endpoint",
                s3.endpoint.toString(), "--all", "s3://builds/app.zip", "s3://builds/app.tar", "s3://builds/app.tar.gz");
        assertTrue(prefetch.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, prefetch.exitValue(), stderr(0));
        assertTrue(stderr(0).contains("24/24 files") && stderr(0).contains("done"), stderr(0));

        s3.close();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3-empty")));
        mount();
        for (String layer : new String[] {"zip", "tar", "tgz"}) {
            try (var files = Files.walk(mountpoint.resolve(layer))) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    Path original = tree.resolve(mountpoint.resolve(layer).relativize(file).toString());
                    assertArrayEquals(Files.readAllBytes(original), Files.readAllBytes(file), file.toString());
                }
            }
        }
    }

    @Test
    void programsRunFromTheMountJarsBinariesAndSharedLibraries() throws Exception {
        Path programs = Files.createDirectories(work.resolve("programs"));
        Files.createDirectories(programs.resolve("bin"));
        Path source = work.resolve("Hello.java");
        Files.writeString(source, "public class Hello { public static void main(String[] a) {"
                + " if (a.length > 0) { System.load(a[0]); } System.out.println(\"hello from a mounted jar\"); } }");
        Path javaHome = Path.of(System.getProperty("java.home"));
        Commands.check(work, javaHome.resolve("bin/javac").toString(), "-d", work.resolve("classes").toString(), source.toString());
        Commands.check(work, javaHome.resolve("bin/jar").toString(), "cf", programs.resolve("hello.jar").toString(),
                "-C", work.resolve("classes").toString(), "Hello.class");
        Files.copy(Path.of("/bin/echo"), programs.resolve("bin/echo"));
        Path library = javaHome.resolve("lib/libzip.so");
        Files.copy(library, programs.resolve("libzip.so"));
        Commands.check(work.resolve("programs"), "zip", "-qry", "../programs.zip", ".");
        s3.put("builds", "programs.zip", Files.readAllBytes(work.resolve("programs.zip")));

        Process daemon = thawfs("mount", "--store", work.resolve("store").toString(), "--s3-endpoint",
                s3.endpoint.toString(), "s3://builds/programs.zip", mountpoint.toString());
        for (int i = 0; i < 6000 && !Files.exists(mountpoint.resolve("hello.jar")); i++) {
            LockSupport.parkNanos(10_000_000);
        }
        assertEquals("hello from a mounted jar", Commands.check(null, javaHome.resolve("bin/java").toString(), "-cp",
                mountpoint.resolve("hello.jar").toString(), "Hello", mountpoint.resolve("libzip.so").toString()),
                "a class from a jar in a mounted zip, loading a shared library (mmap) from the mount");
        assertEquals("an ELF binary", Commands.check(null, mountpoint.resolve("bin/echo").toString(), "an", "ELF", "binary"));
        daemon.destroy();
        assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
    }

    @Test
    void unmountCleansAMountWhoseDaemonWasKilledAndGcEmptiesTheStore() throws Exception {
        Process daemon = mount();
        Files.readAllBytes(mountpoint.resolve("tar/pkg/lib/f3.bin"));
        daemon.destroyForcibly();
        daemon.waitFor(60, TimeUnit.SECONDS);
        assertTrue(Mounts.isStale(mountpoint));

        Process unmount = thawfs("unmount", mountpoint.toString());
        assertTrue(unmount.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, unmount.exitValue(), stderr(1));
        assertTrue(Mounts.find(mountpoint).isEmpty(), "unmounted");

        Process gc = thawfs("gc", "--store", work.resolve("store").toString(), "--to", "0");
        assertTrue(gc.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, gc.exitValue(), stderr(2));
        assertTrue(Files.readString(work.resolve("stdout-2")).contains("0 bytes of fetched content remains"),
                Files.readString(work.resolve("stdout-2")));
    }

    @Test
    void aRecordedTraceReplayedByPrefetchFetchesExactlyTheRecordedFiles() throws Exception {
        Path trace = work.resolve("startup.trace");
        Process recording = mount("--record", trace.toString());
        List<String> read = List.of("tgz/pkg/lib/compressible.txt", "zip/pkg/bin/run me.sh", "tar/pkg/lib/f3.bin");
        for (String path : read) {
            Files.readAllBytes(mountpoint.resolve(path));
        }
        Files.readAllBytes(mountpoint.resolve(read.get(0))); // a second access is not recorded
        recording.destroy();
        assertTrue(recording.waitFor(60, TimeUnit.SECONDS));
        List<String> lines = Files.readAllLines(trace);
        assertEquals(AccessTrace.HEADER, lines.get(0));
        assertEquals(read, lines.subList(1, lines.size()).stream().map(line -> line.split("\t", 4)[3]).toList(),
                String.join("\n", lines));
        long size = Files.size(tree.resolve("pkg/lib/f3.bin"));
        assertTrue(lines.get(3).matches("\\d+\t0\t" + size + "\ttar/pkg/lib/f3.bin"), lines.get(3));

        store = work.resolve("another-store"); // a new machine: cold store, same trace
        Process replaying = mount("--prefetch", trace.toString());
        for (int i = 0; i < 6000 && !processes.stderr(replaying).contains("prefetched"); i++) {
            LockSupport.parkNanos(10_000_000);
        }
        assertTrue(processes.stderr(replaying).contains("thawfs: prefetched 3 files\n"),
                processes.stderr(replaying));
        try (var files = Files.walk(mountpoint)) {
            for (Path file : (Iterable<Path>) files.filter(f -> Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS))::iterator) {
                String path = mountpoint.relativize(file).toString();
                // "prefetched" means usable; the last files may still be on their way to disk
                String state = state(file);
                for (int i = 0; i < 6000 && state.equals("fetching"); i++) {
                    LockSupport.parkNanos(10_000_000);
                    state = state(file);
                }
                assertEquals(read.contains(path) ? "materialized" : "cold", state, path);
            }
        }
    }

    @Test
    void prefetchOfATraceWithoutMountingWarmsTheStoreForTheSameLayers() throws Exception {
        Path trace = Files.writeString(work.resolve("paths.txt"), "# startup files\nzip/pkg/lib/f3.bin\n"
                + "1\t0\t9\ttgz/pkg/bin/run me.sh\n");
        List<String> args = new ArrayList<>(List.of("prefetch", "--store", work.resolve("store").toString(),
                "--s3-endpoint", s3.endpoint.toString(), "--trace", trace.toString()));
        args.addAll(List.of(LAYERS));
        Process prefetch = thawfs(args.toArray(String[]::new));
        assertTrue(prefetch.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, prefetch.exitValue(), stderr(0));
        assertTrue(stderr(0).contains("2/2 files") && stderr(0).contains("done"), stderr(0));
        mount();
        assertEquals("materialized", state(mountpoint.resolve("zip/pkg/lib/f3.bin")));
        assertEquals("materialized", state(mountpoint.resolve("tgz/pkg/bin/run me.sh")));
        assertEquals("cold", state(mountpoint.resolve("tar/pkg/lib/f3.bin")));
    }

    @Test
    void daemonReturnsOnlyOnceTheMountAnswersAndUnmountStopsIt() throws Exception {
        List<String> args = new ArrayList<>(List.of("mount", "--daemon", "--store", work.resolve("store").toString(),
                "--s3-endpoint", s3.endpoint.toString()));
        args.addAll(List.of(LAYERS));
        args.add(mountpoint.toString());
        Process starter = processes.launch(args.toArray(String[]::new));
        assertTrue(starter.waitFor(120, TimeUnit.SECONDS));
        String said = Files.readString(work.resolve("stdout-0"));
        assertEquals(0, starter.exitValue(), stderr(0) + said);
        long pid = Long.parseLong(said.replaceAll("(?s).*daemon pid (\\d+).*", "$1"));
        ProcessHandle daemon = ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("no daemon " + said));
        try {
            assertTrue(Files.isDirectory(mountpoint.resolve("zip/pkg")), "mounted when --daemon returned");
            assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/lib/f3.bin")),
                    Files.readAllBytes(mountpoint.resolve("tar/pkg/lib/f3.bin")));
            assertTrue(said.contains("log " + work.resolve("store").resolve("daemon.log")), said);

            Process unmount = thawfs("unmount", mountpoint.toString());
            assertTrue(unmount.waitFor(60, TimeUnit.SECONDS));
            assertEquals(0, unmount.exitValue(), stderr(1));
            assertTrue(daemon.onExit().get(60, TimeUnit.SECONDS).pid() == pid, "the daemon ends with its mount");
        } finally {
            daemon.destroyForcibly();
        }

        Process failing = processes.launch("mount", "--daemon", "--store", work.resolve("store").toString(),
                work.resolve("none.zip").toString(), mountpoint.toString());
        assertTrue(failing.waitFor(120, TimeUnit.SECONDS));
        assertEquals(2, failing.exitValue(), "a daemon that cannot mount fails its starter");
        assertTrue(stderr(2).contains("none.zip") && stderr(2).contains("before the mount was ready"), stderr(2));
    }

}
