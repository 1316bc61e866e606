package dev.thawfs.fs.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.kernel.Libc;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.fs.proto.TransportPolicy;
import dev.thawfs.testkit.RootGate;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The gate for tests that mount real FUSE filesystems: they skip, with the reason, on machines
 * without root and /dev/fuse, and fail instead under {@code THAWFS_REQUIRE_FUSE=1} (as in CI).
 *
 * <p>fs's mount tests run twice: over {@code /dev/fuse}, and with {@code thawfs.test.transport=uring}
 * over FUSE over io_uring, which {@link #assumeFuse} then switches on in the fuse module for the
 * test JVM's life and switches back at its exit.
 */
public final class FuseTestSupport {
    public static final boolean OVER_URING = "uring".equals(System.getProperty("thawfs.test.transport"));
    /** What a test that names its transport asks for in this run. */
    public static final TransportPolicy TRANSPORT = OVER_URING ? TransportPolicy.URING : TransportPolicy.DEV;
    private static final Path ENABLE_URING = Path.of("/sys/module/fuse/parameters/enable_uring");
    private static boolean uringSwitchedOn;

    private FuseTestSupport() {
    }

    public static void assumeFuse() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            RootGate.skipOrFail("this machine has no /dev/fuse");
        } else if (Libc.INSTANCE.geteuid() != 0) {
            RootGate.skipOrFail("mounting needs root");
        } else if (OVER_URING) {
            switchUringOn();
        }
    }

    private static synchronized void switchUringOn() {
        if (uringSwitchedOn) {
            return;
        }
        try {
            String before = Files.readString(ENABLE_URING).trim();
            if (!before.equals("Y")) {
                Files.writeString(ENABLE_URING, "1");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Files.writeString(ENABLE_URING, before.equals("N") ? "0" : before);
                    } catch (IOException e) {
                        System.err.println("could not switch " + ENABLE_URING + " back to " + before + ": " + e);
                    }
                }));
            }
            uringSwitchedOn = true;
        } catch (IOException e) {
            RootGate.skipOrFail("this kernel has no FUSE over io_uring (" + ENABLE_URING + ": " + e
                    + "; Linux 6.14+ with CONFIG_FUSE_IO_URING)");
        }
    }

    /** In the io_uring run, fails unless {@code session} serves its requests over io_uring. */
    public static void assertTransport(FuseSession session) {
        if (OVER_URING) {
            assertEquals("io_uring", session.transport(), "the io_uring run mounted over /dev/fuse");
        }
    }

    public static void assumePassthrough(PassthroughTier tier) {
        if (!tier.passesThrough()) {
            RootGate.skipOrFail("this kernel offers no FUSE passthrough (Linux 6.9+ needed)");
        }
    }

    /** FUSE mount points at or below {@code directory}. */
    public static List<Path> fuseMountsUnder(Path directory) {
        return Mounts.all().stream().filter(Mounts.MountEntry::isFuse).map(Mounts.MountEntry::mountpoint)
                .filter(mountpoint -> mountpoint.startsWith(directory)).toList();
    }

    /** Fails if a FUSE mount is left below {@code directory}, after unmounting it so none stays. */
    public static void assertNoMountsLeft(Path directory) throws IOException {
        List<Path> left = fuseMountsUnder(directory);
        left.forEach(Mounts::unmount);
        if (!left.isEmpty()) {
            fail("FUSE mounts left behind: " + left);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
