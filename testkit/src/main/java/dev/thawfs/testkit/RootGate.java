package dev.thawfs.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/**
 * Tests that need root, /dev/fuse or a kernel feature skip, with the reason, on machines without
 * them, and fail instead under {@code THAWFS_REQUIRE_FUSE=1} (as in CI), where a skip would hide
 * that they never ran.
 */
public final class RootGate {
    public static final boolean REQUIRED = "1".equals(System.getenv("THAWFS_REQUIRE_FUSE"));

    private RootGate() {
    }

    /** Skips the test for {@code reason}, or fails it when the root tests are required. */
    public static void skipOrFail(String reason) {
        if (REQUIRED) {
            fail(reason + ", and THAWFS_REQUIRE_FUSE=1 requires the tests that need it to run");
        }
        Assumptions.abort(reason);
    }

    /** Skips or fails unless this JVM runs as root. */
    public static void requireRoot(String why) {
        if (!"root".equals(System.getProperty("user.name"))) {
            skipOrFail(why + " needs root");
        }
    }
}
