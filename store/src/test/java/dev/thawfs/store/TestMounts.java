package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** Small tmpfs mounts for store tests (they need root: skipped without, failed under THAWFS_REQUIRE_FUSE=1). */
final class TestMounts {
    private TestMounts() {
    }

    static void tmpfs(Path directory, String options) throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            if ("1".equals(System.getenv("THAWFS_REQUIRE_FUSE"))) {
                fail("mounting a small tmpfs needs root, and THAWFS_REQUIRE_FUSE=1 requires root tests to run");
            }
            Assumptions.abort("mounting a small tmpfs needs root");
        }
        run("mount", "-t", "tmpfs", "-o", options, "thawfs-test", directory.toString());
    }

    static void unmount(Path directory) throws Exception {
        run("umount", directory.toString());
    }

    private static void run(String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
    }
}
