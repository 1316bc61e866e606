package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mount -t thawfs}, /etc/fstab-style lines and {@code umount} through util-linux's mount(8),
 * which finds helpers only in /sbin: bin/mount.thawfs is linked in as /sbin/mount.thawfs for the
 * test (any file there before is put back after), next to a {@code thawfs} that runs these classes.
 */
class MountHelperTest {
    private static final Path HELPER = Path.of("/sbin/mount.thawfs");
    private static final Path SAVED = Path.of("/sbin/mount.thawfs.saved-by-thawfs-test");
    /** Other test runs on this machine install the helper too: one at a time. */
    private static final Path LOCK = Path.of("/run/lock/thawfs-mount-helper-test.lock");

    @TempDir
    Path work;
    private Path artifact;
    private Path mountpoint;
    private Path store;
    private FileChannel lockFile;
    private FileLock lock;
    private final List<Long> daemons = new ArrayList<>();

    private record Run(int exitCode, String out, String err) {
    }

    @BeforeEach
    void installHelper() throws Exception {
        FuseTestSupport.assumeFuse();
        Path tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        artifact = work.resolve("app.zip");
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        store = work.resolve("store");

        Path helpers = Files.createDirectory(work.resolve("helpers"));
        Path script = Files.copy(Path.of("").toAbsolutePath().getParent().resolve("bin/mount.thawfs"),
                helpers.resolve("mount.thawfs"));
        // the launcher beside the helper, as bin/ has it, on the test's classes and JDK
        Path thawfs = Files.writeString(helpers.resolve("thawfs"), "#!/bin/sh\n"
                + "THAWFS_CLASSPATH='" + System.getProperty("java.class.path") + "' JAVA_HOME='"
                + System.getProperty("java.home") + "' THAWFS_JAVA_OPTIONS='-Djava.io.tmpdir=" + work + "' exec '"
                + Path.of("").toAbsolutePath().getParent().resolve("bin/thawfs") + "' \"$@\"\n");
        Files.setPosixFilePermissions(thawfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));

        lockFile = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockFile.lock();
        if (Files.exists(HELPER, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(HELPER, SAVED);
        }
        Files.createSymbolicLink(HELPER, script);
    }

    @AfterEach
    void restoreHelper() throws Exception {
        try {
            for (long pid : daemons) { // still running only if a test failed before its umount
                ProcessHandle.of(pid).ifPresent(daemon -> {
                    daemon.destroy(); // SIGTERM: the daemon unmounts
                    daemon.onExit().orTimeout(30, TimeUnit.SECONDS).exceptionally(e -> null).join();
                });
            }
            FuseTestSupport.assertNoMountsLeft(work);
        } finally {
            if (lock != null) {
                Files.deleteIfExists(HELPER);
                if (Files.exists(SAVED, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(SAVED, HELPER);
                }
                lock.release();
                lockFile.close();
            }
        }
    }

    private Run run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectError(work.resolve("err").toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        if (out.contains("daemon pid ")) {
            daemons.add(Long.parseLong(out.replaceAll("(?s).*daemon pid (\\d+).*", "$1")));
        }
        return new Run(process.exitValue(), out, Files.readString(work.resolve("err")));
    }

    private void assertServesTheArtifact() throws IOException {
        Mounts.MountEntry mounted = Mounts.find(mountpoint).orElseThrow();
        assertEquals("fuse.thawfs", mounted.type());
        assertEquals(artifact.toString(), mounted.source(), "what mount(8) and fstab name is what /proc/mounts shows");
        assertEquals(Files.readString(work.resolve("tree/pkg/lib/ünï.txt")),
                Files.readString(mountpoint.resolve("pkg/lib/ünï.txt")));
    }

    /** umount(8) unmounts, and the daemon goes with its mount. */
    private void umount() throws Exception {
        Run umount = run("umount", mountpoint.toString());
        assertEquals(0, umount.exitCode(), umount.err());
        assertFalse(Mounts.find(mountpoint).isPresent());
        ProcessHandle daemon = ProcessHandle.of(daemons.get(daemons.size() - 1)).orElse(null);
        if (daemon != null) {
            daemon.onExit().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void mountTypeThawfsWithOptionsThenUmount() throws Exception {
        Run mount = run("mount", "-t", "thawfs", artifact.toString(), mountpoint.toString(), "-o",
                "store=" + store + ",budget=64MiB,passthrough=auto,fetch.timeout=2m,allow-other");
        assertEquals(0, mount.exitCode(), mount.err());
        assertServesTheArtifact();
        assertTrue(Files.exists(store.resolve("daemon.log")), "store= chose the store");
        umount();
    }

    @Test
    void fstabLineMountsOnceAndMountAllSeesItMounted() throws Exception {
        Path fstab = Files.writeString(work.resolve("fstab"), "# thawfs\n" + artifact + " " + mountpoint
                + " thawfs ro,_netdev,nofail,x-systemd.requires=network-online.target,store=" + store + " 0 0\n");
        Run mount = run("mount", "--fstab", fstab.toString(), mountpoint.toString());
        assertEquals(0, mount.exitCode(), mount.err());
        assertServesTheArtifact();

        Run again = run("mount", "--fstab", fstab.toString(), "-a");
        assertEquals(0, again.exitCode(), again.err());
        assertEquals(1, FuseTestSupport.fuseMountsUnder(mountpoint).size(), "mount -a mounted it again");
        umount();
    }

    @Test
    void badOptionsFailWithTheSettingsMessagesAndMountNothing() throws Exception {
        Run badValue = run("mount", "-t", "thawfs", artifact.toString(), mountpoint.toString(), "-o",
                "store=" + store + ",budget=lots");
        assertNotEquals(0, badValue.exitCode());
        assertTrue(badValue.err().contains("thawfs: -o budget: store.budget = 'lots' is not valid; allowed: a size"),
                badValue.err());

        Run unknown = run("mount", "-t", "thawfs", artifact.toString(), mountpoint.toString(), "-o", "bugdet=1G");
        assertNotEquals(0, unknown.exitCode());
        assertTrue(unknown.err().contains("-o bugdet=1G: no such mount option"), unknown.err());
        assertFalse(Mounts.find(mountpoint).isPresent());
    }
}
