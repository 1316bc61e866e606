package dev.thawfs.fs.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.thawfs.fs.kernel.Libc;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.proto.PassthroughTier;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * The gate for tests that mount real FUSE filesystems: they skip, with the reason, on machines
 * without root and /dev/fuse, and fail instead under {@code THAWFS_REQUIRE_FUSE=1} (as in CI).
 */
public final class FuseTestSupport {
    public static final boolean REQUIRED = "1".equals(System.getenv("THAWFS_REQUIRE_FUSE"));

    private FuseTestSupport() {
    }

    public static void assumeFuse() {
        if (!Files.exists(Path.of("/dev/fuse"))) {
            skipOrFail("this machine has no /dev/fuse");
        } else if (Libc.INSTANCE.geteuid() != 0) {
            skipOrFail("mounting needs root");
        }
    }

    public static void assumePassthrough(PassthroughTier tier) {
        if (!tier.passesThrough()) {
            skipOrFail("this kernel offers no FUSE passthrough (Linux 6.9+ needed)");
        }
    }

    private static void skipOrFail(String reason) {
        if (REQUIRED) {
            fail(reason + ", but THAWFS_REQUIRE_FUSE=1 requires FUSE tests to run");
        }
        Assumptions.abort(reason);
    }

    /** FUSE mount points at or below {@code directory}, from /proc/self/mountinfo. */
    public static List<Path> fuseMountsUnder(Path directory) throws IOException {
        List<Path> found = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            Path mountpoint = Path.of(fields[4].replace("\\040", " "));
            if (separator > 0 && fields[separator + 1].startsWith("fuse") && mountpoint.startsWith(directory)) {
                found.add(mountpoint);
            }
        }
        return found;
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
