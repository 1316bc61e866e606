package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code thawfs mirror} as its own process: mounted, used, stopped by signal, and killed outright. */
class MirrorProcessTest {
    @TempDir
    Path work;
    private Path source;
    private Path mountpoint;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void tree() throws IOException {
        FuseTestSupport.assumeFuse();
        source = Files.createDirectory(work.resolve("src"));
        Files.writeString(source.resolve("hello.txt"), "hello through the mirror\n");
        mountpoint = Files.createDirectory(work.resolve("mnt"));
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Process process : started) {
            process.destroyForcibly();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    private Process startMirror(String... extra) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "mirror"));
        command.addAll(List.of(extra));
        command.add(source.toString());
        command.add(mountpoint.toString());
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(work.resolve("stderr-" + started.size()).toFile());
        builder.environment().put("LC_ALL", "C.UTF-8");
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private String stderr(int index) throws IOException {
        return Files.readString(work.resolve("stderr-" + index), StandardCharsets.UTF_8);
    }

    private void awaitMounted(Process process) {
        for (int i = 0; i < 3000 && process.isAlive(); i++) {
            if (Mounts.find(mountpoint).isPresent()) {
                return;
            }
            LockSupport.parkNanos(10_000_000);
        }
        throw new AssertionError("the mirror did not mount (alive: " + process.isAlive() + ")");
    }

    @Test
    void sigtermUnmountsCleanlyAndReportsTheStatistics() throws Exception {
        Path stats = work.resolve("stats.json");
        Process mirror = startMirror("--stats", stats.toString());
        awaitMounted(mirror);
        assertEquals("hello through the mirror\n", Files.readString(mountpoint.resolve("hello.txt")));

        mirror.destroy(); // SIGTERM
        assertTrue(mirror.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, mirror.exitValue(), stderr(0));
        assertFalse(Mounts.find(mountpoint).isPresent(), "unmounted");
        String json = Files.readString(stats).trim();
        assertTrue(json.startsWith("{\"mountpoint\":") && json.contains("\"OPEN\":1"), json);
        assertTrue(stderr(0).contains(json), "the same line on stderr: " + stderr(0));
    }

    @Test
    void aMountLeftStaleByAKilledDaemonIsCleanedAtTheNextStart() throws Exception {
        Process first = startMirror();
        awaitMounted(first);
        first.destroyForcibly(); // SIGKILL: nobody unmounts
        first.waitFor(60, TimeUnit.SECONDS);
        assertTrue(Mounts.find(mountpoint).isPresent() && Mounts.isStale(mountpoint), "left stale");

        Process second = startMirror();
        for (int i = 0; i < 3000 && !Files.exists(mountpoint.resolve("hello.txt")); i++) {
            LockSupport.parkNanos(10_000_000);
        }
        assertEquals("hello through the mirror\n", Files.readString(mountpoint.resolve("hello.txt")));
        second.destroy();
        assertTrue(second.waitFor(60, TimeUnit.SECONDS));
        assertTrue(stderr(1).contains("cleaned a stale FUSE mount on " + mountpoint), stderr(1));
    }
}
