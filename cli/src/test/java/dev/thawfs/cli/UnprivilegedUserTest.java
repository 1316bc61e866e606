package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands run by a user without CAP_SYS_ADMIN (nobody, through setpriv) on root's store and
 * mount point: one line that says thawfs must run as root, exit code 2, nothing created.
 */
class UnprivilegedUserTest {
    private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

    @TempDir
    Path work;
    private String classpath;
    private Path artifact;
    private Path mountpoint;
    private Path rootsStore;

    @BeforeEach
    void filesNobodyCanRead() throws Exception {
        FuseTestSupport.assumeFuse(); // root, to become nobody
        Assumptions.assumeTrue(Files.isExecutable(SETPRIV), "needs " + SETPRIV + " (util-linux)");
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        classpath = classpathNobodyCanRead();
        Path tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        artifact = work.resolve("app.zip");
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        rootsStore = Files.createDirectory(work.resolve("store"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
    }

    @Test
    void mountingCommandsSayThawfsMustRunAsRootBeforeCreatingAnything() throws Exception {
        Path newStore = work.resolve("new-store");
        assertMustRunAsRoot("mount", "--daemon", "--store", newStore.toString(), artifact.toString(),
                mountpoint.toString());
        assertMustRunAsRoot("mount", "--store", newStore.toString(), artifact.toString(), mountpoint.toString());
        assertTrue(Files.notExists(newStore), "no store created");
        assertMustRunAsRoot("mirror", work.resolve("tree").toString(), mountpoint.toString());
        assertMustRunAsRoot("unmount", mountpoint.toString());
    }

    @Test
    void commandsOnRootsStoreSayThawfsMustRunAsRoot() throws Exception {
        assertMustRunAsRoot("gc", "--store", rootsStore.toString(), "--to", "0");
        assertMustRunAsRoot("prefetch", "--store", rootsStore.toString(), "--all", artifact.toString());
        assertMustRunAsRoot("status", "--store", rootsStore.toString());
    }

    private void assertMustRunAsRoot(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(SETPRIV.toString(), "--reuid=65534", "--regid=65534",
                "--clear-groups", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", classpath, Main.class.getName()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        String what = String.join(" ", args) + " said:\n" + output;
        assertEquals(2, process.exitValue(), what);
        assertTrue(output.startsWith("thawfs: ") && output.indexOf('\n') == output.length() - 1, "one line: " + what);
        assertTrue(output.contains("thawfs must run as root"), what);
    }

    /** This test's class path, with the jars nobody cannot reach (in root's ~/.m2) linked into the test's directory. */
    private String classpathNobodyCanRead() throws IOException {
        Path jars = Files.createDirectory(work.resolve("jars"));
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (Files.isRegularFile(path) && path.startsWith(System.getProperty("user.home"))) {
                Path link = jars.resolve(entries.size() + "-" + path.getFileName());
                Files.createLink(link, path);
                entries.add(link.toString());
            } else {
                entries.add(entry);
            }
        }
        return String.join(File.pathSeparator, entries);
    }
}
