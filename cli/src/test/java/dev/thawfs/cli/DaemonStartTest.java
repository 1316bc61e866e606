package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fetcher.Trees;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code thawfs mount --daemon} as users run it: what its starter shows, beyond the daemon's log. */
class DaemonStartTest {
    @TempDir
    Path work;
    private Path artifact;
    private Path mountpoint;
    private final List<Long> daemons = new ArrayList<>();

    @BeforeEach
    void artifact() throws Exception {
        FuseTestSupport.assumeFuse();
        Path tree = work.resolve("tree");
        Trees.create(tree);
        Trees.run(tree, "zip", "-qry", "../app.zip", "pkg");
        artifact = work.resolve("app.zip");
        mountpoint = Files.createDirectory(work.resolve("mnt"));
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

    /** Runs {@code thawfs mount --daemon} on the artifact; the daemon it started is stopped after the test. */
    private Started mountDaemon() throws Exception {
        Process starter = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "mount", "--daemon", "--store", work.resolve("store").toString(),
                artifact.toString(), mountpoint.toString())
                .redirectError(work.resolve("starter.err").toFile()).start();
        String out = new String(starter.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(starter.waitFor(120, TimeUnit.SECONDS));
        if (out.contains("daemon pid ")) {
            daemons.add(Long.parseLong(out.replaceAll("(?s).*daemon pid (\\d+).*", "$1")));
        }
        return new Started(starter.exitValue(), out, Files.readString(work.resolve("starter.err")));
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
}
