package dev.thawfs.store;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.RootGate;
import java.nio.file.Path;

/** Small tmpfs mounts for store tests (they need root: skipped without, failed under THAWFS_REQUIRE_FUSE=1). */
final class TestMounts {
    private TestMounts() {
    }

    static void tmpfs(Path directory, String options) throws Exception {
        RootGate.requireRoot("mounting a small tmpfs");
        Commands.check(null, "mount", "-t", "tmpfs", "-o", options, "thawfs-test", directory.toString());
    }

    static void unmount(Path directory) throws Exception {
        Commands.check(null, "umount", directory.toString());
    }
}
