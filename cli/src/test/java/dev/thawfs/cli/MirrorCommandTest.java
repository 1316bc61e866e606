package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Bad input to {@code thawfs mirror}: one line that says what is wrong, exit code 2, nothing mounted. */
class MirrorCommandTest {
    @TempDir
    Path work;

    private record Outcome(int exitCode, String err) {
    }

    private Outcome run(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(new StringWriter(), true));
        return new Outcome(cli.execute(args), err.toString());
    }

    private void assertUsageError(Outcome outcome, String expected) {
        assertEquals(2, outcome.exitCode(), outcome.err());
        assertTrue(outcome.err().contains(expected), outcome.err());
    }

    @Test
    void missingSourceDirectory() throws IOException {
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        assertUsageError(run("mirror", work.resolve("nope").toString(), mnt.toString()),
                "source " + work.resolve("nope") + " does not exist");
    }

    @Test
    void sourceThatIsAFile() throws IOException {
        Path file = Files.writeString(work.resolve("file"), "x");
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        assertUsageError(run("mirror", file.toString(), mnt.toString()), "is not a directory");
    }

    @Test
    void missingMountpoint() throws IOException {
        Path source = Files.createDirectory(work.resolve("src"));
        Path mnt = work.resolve("no-mnt");
        assertUsageError(run("mirror", source.toString(), mnt.toString()), "mkdir -p " + mnt);
    }

    @Test
    void nonEmptyMountpoint() throws IOException {
        Path source = Files.createDirectory(work.resolve("src"));
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        Files.writeString(mnt.resolve("precious"), "keep me");
        assertUsageError(run("mirror", source.toString(), mnt.toString()), "is not empty");
        assertEquals("keep me", Files.readString(mnt.resolve("precious")));
    }

    @Test
    void unknownPassthroughModeAndBadWorkers() throws IOException {
        Path source = Files.createDirectory(work.resolve("src"));
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        assertUsageError(run("mirror", "--passthrough", "sometimes", source.toString(), mnt.toString()),
                "'sometimes' is not one of auto, off, require");
        assertUsageError(run("mirror", "--workers", "0", source.toString(), mnt.toString()),
                "--workers: 0 is not between 1 and 256");
        assertUsageError(run("mirror", source.toString()), "Missing required parameter");
    }

    @Test
    void badFlagsOfTheOtherCommandsAreUsageErrors() throws IOException {
        Path store = work.resolve("store");
        assertUsageError(run("prefetch", "--store", store.toString(), "x.zip"), "(--all | --paths=FILE)");
        assertUsageError(run("prefetch", "--store", store.toString(), "--all", work.resolve("none.zip").toString()),
                "none.zip");
        assertUsageError(run("gc", "--store", store.toString(), "--to", "lots"), "'lots' is not a size");
        assertUsageError(run("unmount", work.toString()), "nothing thawfs mounted on");
        Path thing = Files.writeString(work.resolve("thing.rar"), "?");
        assertUsageError(run("mount", "--store", store.toString(), thing.toString(), work.toString()),
                "unknown artifact format");
    }

    @Test
    void helpShowsExamples() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("mirror", "--help"));
        assertTrue(out.toString().contains("Examples:"), out.toString());
    }
}
