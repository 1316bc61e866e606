package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gc, prefetch, status and mount of a store a daemon owns: run by that daemon through the store's
 * control socket, against the store it has open, while its mounts are in use.
 */
class ControlSocketTest {
    private static final String BIG = "pkg/lib/f4.bin";

    @TempDir
    Path work;
    private S3ProxyServer s3;
    private Path tree;
    private Path zip;
    private Path store;
    private Path mountpoint;
    private ThawfsProcesses processes;
    private final List<Long> daemons = new ArrayList<>();

    @BeforeEach
    void artifact() throws Exception {
        FuseTestSupport.assumeFuse();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("builds");
        tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        zip = work.resolve("app.zip");
        s3.put("builds", "app.zip", Files.readAllBytes(zip));
        store = work.resolve("store");
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        processes = new ThawfsProcesses(Files.createDirectory(work.resolve("processes")));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (processes != null) {
            processes.close();
        }
        for (long pid : daemons) {
            ProcessHandle.of(pid).ifPresent(daemon -> {
                daemon.destroy(); // SIGTERM: the daemon unmounts
                try {
                    daemon.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception notStopped) {
                    daemon.destroyForcibly();
                }
            });
        }
        if (s3 != null) {
            s3.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    private record Ran(int exitCode, String out, String err) {
    }

    /** Runs {@code thawfs ARGS...} to its end. */
    private Ran thawfs(String... args) throws Exception {
        return ran(processes.start(args));
    }

    /** Runs {@code bin/thawfs ARGS...} to its end; a daemon it names is stopped after the test. */
    private Ran launch(String... args) throws Exception {
        Ran ran = ran(processes.launch(args));
        if (ran.out().contains("daemon pid ")) {
            daemons.add(Long.parseLong(ran.out().replaceAll("(?s).*daemon pid (\\d+).*", "$1")));
        }
        return ran;
    }

    /** The run's exit code and output; without SLF4J's notes on the test class path's two providers. */
    private Ran ran(Process process) throws Exception {
        assertTrue(process.waitFor(300, TimeUnit.SECONDS), "thawfs did not end: " + processes.stderr(process));
        return new Ran(process.exitValue(), processes.stdout(process),
                processes.stderr(process).replaceAll("(?m)^SLF4J\\([WI]\\): .*\n", ""));
    }

    private Process mountS3() throws Exception {
        return processes.mount(mountpoint, List.of("--store", store.toString(), "--s3-endpoint", s3.endpoint.toString(),
                "s3://builds/app.zip"));
    }

    private Ran prefetchAll() throws Exception {
        return thawfs("prefetch", "--store", store.toString(), "--s3-endpoint", s3.endpoint.toString(), "--all",
                "s3://builds/app.zip");
    }

    private long status(String key) throws Exception {
        Ran status = thawfs("status", "--json", "--store", store.toString());
        assertEquals(0, status.exitCode(), status.err());
        String value = status.out().replaceAll("(?s).*\"" + key.replace(".", "\\.") + "\":(\\d+).*", "$1");
        assertTrue(value.matches("\\d+"), key + " in " + status.out());
        return Long.parseLong(value);
    }

    private long treeFileBytes() throws Exception {
        try (Stream<Path> files = Files.walk(tree)) {
            return files.filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)).mapToLong(file -> file.toFile().length()).sum();
        }
    }

    @Test
    void prefetchFillsTheStoreOfARunningMountWhileAReaderUsesIt() throws Exception {
        Process mount = mountS3();
        byte[] expected = Files.readAllBytes(tree.resolve(BIG));
        try (FileChannel reader = FileChannel.open(mountpoint.resolve(BIG))) {
            ByteBuffer read = ByteBuffer.allocate(expected.length);
            read.limit(4096);
            while (read.hasRemaining() && reader.read(read) >= 0) {
                // the first page, before the prefetch
            }

            Ran prefetch = prefetchAll();
            assertEquals(0, prefetch.exitCode(), prefetch.err());
            assertTrue(prefetch.err().contains(", done"), prefetch.err());

            read.limit(expected.length);
            while (read.hasRemaining() && reader.read(read) >= 0) {
                // the rest, after it
            }
            assertArrayEquals(expected, read.array(), "the open file reads the same throughout");
        }
        assertEquals(treeFileBytes(), status("artifact.0.materialized_bytes"), "every file is local");
        assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/lib/f3.bin")),
                Files.readAllBytes(mountpoint.resolve("pkg/lib/f3.bin")));
        assertTrue(mount.isAlive());
        assertEquals(0, processes.stop(mount), processes.stderr(mount));
    }

    @Test
    void gcUnderARunningMountEvictsAllButTheFilesOpenOnIt() throws Exception {
        Process mount = mountS3();
        assertEquals(0, prefetchAll().exitCode());
        byte[] big = Files.readAllBytes(tree.resolve(BIG));
        try (FileChannel open = FileChannel.open(mountpoint.resolve(BIG))) {
            Ran gc = thawfs("gc", "--store", store.toString(), "--to", "0");
            assertEquals(0, gc.exitCode(), gc.err());
            assertTrue(gc.out().startsWith("thawfs: freed "), gc.out());
            assertEquals(big.length, status("artifact.0.materialized_bytes"), "only the open file stays");
            assertEquals(1, status("artifact.0.materialized_files"));

            ByteBuffer read = ByteBuffer.allocate(big.length);
            while (read.hasRemaining() && open.read(read) >= 0) {
                // the whole open file, kept
            }
            assertArrayEquals(big, read.array());
        }
        assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/lib/f3.bin")),
                Files.readAllBytes(mountpoint.resolve("pkg/lib/f3.bin")), "an evicted file is fetched again");
        assertEquals(0, processes.stop(mount), processes.stderr(mount));
    }

    @Test
    void aSecondMountOfTheStoreJoinsItsDaemonAndEachUnmountsAlone() throws Exception {
        Path second = Files.createDirectory(work.resolve("mnt2"));
        Ran first = launch("mount", "--daemon", "--store", store.toString(), zip.toString(), mountpoint.toString());
        assertEquals(0, first.exitCode(), first.err());
        long daemon = daemons.get(0);

        // relative to its working directory (the processes' directory), not the daemon's
        Ran joined = launch("mount", "--daemon", "--store", store.toString(), "../app.zip=again", "../mnt2");
        assertEquals(0, joined.exitCode(), joined.err());
        assertEquals("thawfs: mounted " + second + " (daemon pid " + daemon + ", which owns the store " + store + ")\n",
                joined.out());
        assertArrayEquals(Files.readAllBytes(tree.resolve(BIG)), Files.readAllBytes(second.resolve("again/" + BIG)));
        assertArrayEquals(Files.readAllBytes(tree.resolve(BIG)), Files.readAllBytes(mountpoint.resolve(BIG)));

        Ran unmountFirst = thawfs("unmount", mountpoint.toString());
        assertEquals(0, unmountFirst.exitCode(), unmountFirst.err());
        assertTrue(Mounts.find(mountpoint).isEmpty(), "the first mount went");
        assertTrue(ProcessHandle.of(daemon).isPresent(), "the daemon serves the second");
        assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/lib/f3.bin")),
                Files.readAllBytes(second.resolve("again/pkg/lib/f3.bin")));

        Ran unmountSecond = thawfs("unmount", second.toString());
        assertEquals(0, unmountSecond.exitCode(), unmountSecond.err());
        ProcessHandle.of(daemon).ifPresent(process -> process.onExit().join()); // its last mount went
        assertFalse(Files.exists(ControlSocket.path(store)), "the daemon removed its socket");
    }

    @Test
    void statusAndRefusalsThroughTheDaemonAreThoseWithoutOne() throws Exception {
        Files.writeString(work.resolve("paths"), "pkg/lib/f2.bin\n");
        Files.writeString(work.resolve("missing"), "pkg/lib/f2.bin\npkg/nothing-here\n");
        Process mount = mountS3();
        Path socket = ControlSocket.path(store);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
        Ran prefetch = thawfs("prefetch", "--store", store.toString(), "--s3-endpoint", s3.endpoint.toString(),
                "--paths", work.resolve("paths").toString(), "s3://builds/app.zip");
        assertEquals(0, prefetch.exitCode(), prefetch.err());
        List<Ran> served = statusAndRefusals();
        assertEquals(0, processes.stop(mount), processes.stderr(mount));
        assertFalse(Files.exists(socket));

        List<Ran> local = statusAndRefusals();
        assertEquals(local, served);
        assertEquals(0, served.get(0).exitCode());
        assertTrue(served.get(0).out().contains("artifact.0.materialized_files"), served.get(0).out());
        assertEquals(Main.EXIT_USAGE, served.get(2).exitCode());
        assertTrue(served.get(2).err().contains("pkg/nothing-here"), served.get(2).err());
    }

    private List<Ran> statusAndRefusals() throws Exception {
        return List.of(thawfs("status", "--store", store.toString()),
                thawfs("status", "--json", "--store", store.toString()),
                thawfs("prefetch", "--store", store.toString(), "--s3-endpoint", s3.endpoint.toString(),
                        "--paths", work.resolve("missing").toString(), "s3://builds/app.zip"));
    }

    @Test
    void aSocketLeftByADaemonKilledWithSigkillIsCleanedByTheNextOwner() throws Exception {
        Ran started = launch("mount", "--daemon", "--store", store.toString(), zip.toString(), mountpoint.toString());
        assertEquals(0, started.exitCode(), started.err());
        ProcessHandle daemon = ProcessHandle.of(daemons.get(0)).orElseThrow();
        daemon.destroyForcibly();
        daemon.onExit().join();
        assertTrue(Files.exists(ControlSocket.path(store)), "kill -9 leaves the socket");

        Ran status = thawfs("status", "--store", store.toString());
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.out().contains("artifact.0.uri"), status.out());
        assertFalse(Files.exists(ControlSocket.path(store)), "removed by status, which owned the store meanwhile");

        Ran again = launch("mount", "--daemon", "--store", store.toString(), zip.toString(), mountpoint.toString());
        assertEquals(0, again.exitCode(), again.err());
        Ran gc = thawfs("gc", "--store", store.toString(), "--to", "0");
        assertEquals(0, gc.exitCode(), gc.err());
        assertTrue(ProcessHandle.of(daemons.get(1)).isPresent(), "gc ran in the new daemon");
        assertTrue(Files.exists(ControlSocket.path(store)));
        assertEquals(0, thawfs("unmount", mountpoint.toString()).exitCode());
    }
}
