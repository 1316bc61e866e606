package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/thawfs mount --daemon} as users run it (the launcher running the test's classes):
 * what it shows, beyond the daemon's log, and the one JVM it leaves serving the mount.
 */
class DaemonStartTest {
    @TempDir
    Path work;
    private Path artifact;
    private Path mountpoint;
    private final List<Long> daemons = new ArrayList<>();
    private ThawfsProcesses processes;

    @BeforeEach
    void artifact() throws Exception {
        FuseTestSupport.assumeFuse();
        Path tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        artifact = work.resolve("app.zip");
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        processes = new ThawfsProcesses(Files.createDirectory(work.resolve("processes")));
    }

    @AfterEach
    void stopDaemons() throws Exception {
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
        FuseTestSupport.assertNoMountsLeft(work);
    }

    private record Started(int exitCode, String out, String err) {
    }

    /** Runs {@code bin/thawfs mount --daemon} on the artifact; the daemon it started is stopped after the test. */
    private Started mountDaemon() throws Exception {
        return launch("mount", "--daemon", "--store", work.resolve("store").toString(), artifact.toString(),
                mountpoint.toString());
    }

    private Started launch(String... args) throws Exception {
        Process starter = processes.launch(args);
        assertTrue(starter.waitFor(120, TimeUnit.SECONDS));
        String out = processes.stdout(starter);
        if (out.contains("daemon pid ")) {
            daemons.add(Long.parseLong(out.replaceAll("(?s).*daemon pid (\\d+).*", "$1")));
        }
        return new Started(starter.exitValue(), out, processes.stderr(starter));
    }

    @Test
    void warningsBeforeTheMountIsReadyReachTheStartersTerminal() throws Exception {
        Started first = mountDaemon();
        assertEquals(0, first.exitCode(), first.err());
        ProcessHandle.of(daemons.get(0)).orElseThrow().destroyForcibly(); // kill -9: the mount is left stale
        ProcessHandle.of(daemons.get(0)).ifPresent(daemon -> daemon.onExit().join());
        assertTrue(Mounts.isStale(mountpoint));
        Files.delete(artifact); // offline: only the copy imported before is left

        Started second = mountDaemon();
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.err().contains("thawfs: warning: cleaned a stale FUSE mount on " + mountpoint), second.err());
        assertTrue(second.err().contains("using the copy imported before"), second.err());
        assertTrue(Files.isDirectory(mountpoint.resolve("pkg")), "mounted from the store");
    }

    @Test
    void theDaemonIsTheOneJvmStartedInASessionOfItsOwn() throws Exception {
        Started started = mountDaemon();
        assertEquals(0, started.exitCode(), started.err());
        assertEquals("thawfs: mounted (daemon pid " + daemons.get(0) + ", log " + work.resolve("store/daemon.log")
                + ")\n", started.out());
        ProcessHandle daemon = ProcessHandle.of(daemons.get(0)).orElseThrow();
        assertTrue(daemon.info().command().orElseThrow().endsWith("/java"), daemon.info().toString());
        assertEquals(0, daemon.children().count(), "no second JVM");
        String stat = Files.readString(Path.of("/proc", daemon.pid() + "", "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        assertEquals(Long.toString(daemon.pid()), fields[3], "the session it leads: " + stat);
        assertTrue(Files.isDirectory(mountpoint.resolve("pkg")), "it serves the mount");
        assertTrue(Files.readString(work.resolve("store/daemon.log")).contains("thawfs: mounted " + mountpoint),
                "it logs to the log after detaching");
    }

    @Test
    void aDaemonThatFailsBeforeTheMountIsReadyShowsItsLogAndExitCode() throws Exception {
        Files.writeString(artifact, "not a zip");
        Files.createDirectories(work.resolve("store"));
        Files.writeString(work.resolve("store/daemon.log"), "an earlier daemon's line\n");

        Started failed = mountDaemon();
        assertEquals(Main.EXIT_USAGE, failed.exitCode(), failed.err());
        assertEquals("", failed.out());
        assertTrue(failed.err().contains("thawfs: the daemon exited with code 2 before the mount was ready (log: "
                + work.resolve("store/daemon.log") + ")"), failed.err());
        assertTrue(failed.err().contains(artifact.toString()), "the daemon's error, from its log: " + failed.err());
        assertFalse(failed.err().contains("an earlier daemon's line"), failed.err());
        assertFalse(Mounts.isStale(mountpoint));
    }

    @Test
    void badUsageIsShownWithoutADaemonOrItsLog() throws Exception {
        Files.writeString(mountpoint.resolve("precious"), "keep me");
        Started refused = mountDaemon();
        assertEquals(Main.EXIT_USAGE, refused.exitCode(), refused.err());
        assertTrue(refused.err().startsWith("thawfs: cannot read mount point " + mountpoint), refused.err());
        assertTrue(refused.err().contains("is not empty"), refused.err());
        assertFalse(refused.err().contains("daemon exited"), refused.err());
        assertTrue(Files.notExists(work.resolve("store")), "no store created");
    }
}
