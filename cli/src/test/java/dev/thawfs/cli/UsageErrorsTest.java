package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.CapturedLog;
import dev.thawfs.fs.kernel.Mounts;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Bad input to every command: a message that says what is wrong and where, exit code 2, nothing mounted. */
class UsageErrorsTest {
    @TempDir
    Path work;

    private record Outcome(int exitCode, String out, String err) {
    }

    private Outcome run(String... args) {
        return run(Main.commandLine(args), args);
    }

    private static Outcome run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(out, true));
        return new Outcome(cli.execute(args), out.toString(), err.toString());
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
                "--passthrough: mount.passthrough = 'sometimes' is not valid; allowed: auto, off, require");
        assertUsageError(run("mirror", "--workers", "0", source.toString(), mnt.toString()),
                "--workers: mount.workers = '0' is not valid; allowed: a whole number from 1 to 256");
        assertUsageError(run("mirror", source.toString()), "Missing required parameter");
    }

    @Test
    void badFlagsOfTheOtherCommandsAreUsageErrors() throws IOException {
        Path store = work.resolve("store");
        assertUsageError(run("prefetch", "--store", store.toString(), "x.zip"), "(--all | --paths=FILE | --trace=FILE)");
        assertUsageError(run("prefetch", "--store", store.toString(), "--all", work.resolve("none.zip").toString()),
                "none.zip");
        assertUsageError(run("gc", "--store", store.toString(), "--to", "lots"), "'lots' is not valid; allowed: a size");
        assertUsageError(run("unmount", work.toString()), "nothing thawfs mounted on");
        Path thing = Files.writeString(work.resolve("thing.rar"), "?");
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        assertUsageError(run("mount", "--store", store.toString(), thing.toString(), mnt.toString()),
                "unknown artifact format");
    }

    @Test
    void mountDaemonRefusesBadUsageBeforeStartingADaemonOrCreatingTheStore() throws IOException {
        String store = work.resolve("store").toString();
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        String zip = Files.writeString(work.resolve("app.zip"), "never read").toString();
        String rar = Files.writeString(work.resolve("thing.rar"), "?").toString();
        assertUsageError(run("mount", "--daemon", "--store", store, rar, mnt.toString()), "unknown artifact format");
        assertUsageError(run("mount", "--daemon", "--store", store, "s3:///app.zip", mnt.toString()),
                "names no bucket");
        assertUsageError(run("prefetch", "--store", store, "--all", zip, rar), "unknown artifact format");
        assertUsageError(run("mount", "--daemon", "--store", store, zip, work.resolve("absent").toString()),
                "does not exist");
        Files.writeString(mnt.resolve("precious"), "keep me");
        assertUsageError(run("mount", "--daemon", "--store", store, zip, mnt.toString()), "is not empty");
        assertTrue(Files.notExists(work.resolve("store")), "no daemon started, no store created");
    }

    @Test
    void mountDaemonWithoutTheLauncherSaysToUseIt() throws IOException {
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        String zip = Files.writeString(work.resolve("app.zip"), "never read").toString();
        assertUsageError(run("mount", "--daemon", "--store", work.resolve("store").toString(), zip, mnt.toString()),
                "--daemon is run by bin/thawfs");
        assertTrue(Files.notExists(work.resolve("store")), "no store created");
    }

    @Test
    void mountOptionsAndMetricsAddressesAreValidatedLikeFlags() throws IOException {
        String store = work.resolve("store").toString();
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        String zip = Files.writeString(work.resolve("app.zip"), "never read").toString();
        assertUsageError(run("mount", "--store", store, "-o", "ro,_netdev,workers=0", zip, mnt.toString()),
                "-o workers: mount.workers = '0' is not valid; allowed: a whole number from 1 to 256");
        assertUsageError(run("mount", "--store", store, "-o", "noexec,cache=yes", zip, mnt.toString()),
                "-o cache=yes: no such mount option");
        assertUsageError(run("mount", "--store", store, "--metrics", "metrics.example.com:9464", zip, mnt.toString()),
                "--metrics: mount.metrics = 'metrics.example.com:9464' is not valid; allowed: empty (off), a port");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertUsageError(run("mount", "--store", store, "--metrics", Integer.toString(taken.getLocalPort()), zip,
                    mnt.toString()), "mount.metrics: cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertTrue(Mounts.find(mnt).isEmpty(), "a metrics port that is taken fails the mount before it mounts");
    }

    @Test
    void badSourcesFoundAfterTheFirstChecksAreStillUsageErrors() throws IOException {
        String store = work.resolve("store").toString();
        Path mnt = Files.createDirectory(work.resolve("mnt"));
        Path zip = work.resolve("app.zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip))) {
            out.putNextEntry(new ZipEntry("a.txt"));
            out.write("a".getBytes());
        }
        assertUsageError(run("mount", "--store", store, zip + "=lib/../..", mnt.toString()),
                "layer path lib/../.. may not contain . or ..");
        assertTrue(Mounts.find(mnt).isEmpty());
        assertUsageError(run("index", "--store", store, zip.toString()), "seek indexes are built for tar.gz");
    }

    @Command(name = "broken")
    static final class BrokenCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalArgumentException("index 3 out of bounds: a bug, not the user's input");
        }
    }

    @Test
    void aBugInACommandIsAnInternalErrorWithItsTraceInTheLogNotAUsageError() {
        CommandLine cli = Main.commandLine().addSubcommand(new BrokenCommand());
        try (CapturedLog log = new CapturedLog(Main.class)) {
            Outcome outcome = run(cli, "broken");
            assertEquals(Main.EXIT_FAILED, outcome.exitCode(), outcome.err());
            assertTrue(log.lines().stream().anyMatch(line -> line.startsWith("SEVERE internal error in thawfs broken")
                    && line.contains("index 3 out of bounds")), log.lines().toString());
            assertInstanceOf(IllegalArgumentException.class, log.thrown().get(0), "logged with its stack trace");
        }
    }

    @Test
    void gcAndStatusWithoutAStoreSaySoAndCreateNone() {
        Path store = work.resolve("no-store");
        Outcome gc = run("gc", "--store", store.toString(), "--to", "0");
        assertEquals(0, gc.exitCode(), gc.err());
        assertTrue(gc.out().contains("no store at " + store), gc.out());
        Outcome status = run("status", "--store", store.toString());
        assertEquals(0, status.exitCode(), status.err());
        assertTrue(status.err().contains("no store at " + store), status.err());
        assertTrue(Files.notExists(store), "nothing created");
    }

    @Test
    void badConfigurationNamesTheFileLineKeyValueAndWhatIsAllowed() throws IOException {
        Path config = Files.writeString(work.resolve("thawfs.toml"), """
                [store]
                dir = "%s"
                [mount]
                materialize-on-open = "huge"
                """.formatted(work.resolve("store")));
        Outcome outcome = run("gc", "--config", config.toString(), "--to", "0");
        assertUsageError(outcome, "thawfs: config " + config + ":4: mount.materialize-on-open = 'huge' is not valid;"
                + " allowed: a size from 0 to 1TiB");
        assertTrue(outcome.err().contains("README.md (Configuration)"), outcome.err());
        assertTrue(Files.notExists(work.resolve("store")), "nothing was touched");

        Path typo = Files.writeString(work.resolve("typo.toml"), "[fetch]\nattempt = 3\n");
        assertUsageError(run("config", "--config", typo.toString()),
                "typo.toml:2: unknown setting 'fetch.attempt'; did you mean fetch.attempts?");
        assertUsageError(run("gc", "--config", work.resolve("absent.toml").toString(), "--to", "0"),
                "absent.toml: cannot be read");
        assertUsageError(run("mount", "--store", work.toString() + "/s", "--fetch-timeout", "5", "a.zip",
                work.toString()), "--fetch-timeout: fetch.timeout = '5' is not valid; allowed: a duration");
        assertUsageError(run("prefetch", "--store", work.toString() + "/s", "--concurrency", "1000", "--all", "a.zip"),
                "--concurrency: prefetch.concurrency = '1000' is not valid");
    }

    @Test
    void configShowsEverySettingWithWhereItCameFrom() throws IOException {
        Path config = Files.writeString(work.resolve("thawfs.toml"), "[s3]\nregion = \"eu-west-1\"\n");
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("config", "--config", config.toString()));
        String text = out.toString();
        assertTrue(text.contains("region = \"eu-west-1\"    # config " + config + ":2"), text);
        assertTrue(text.contains("[store]\n") && text.contains("budget = \"10GiB\"    # default"), text);
        for (dev.thawfs.config.Setting<?> setting : dev.thawfs.config.Settings.ALL) {
            assertTrue(text.contains("\n" + setting.name() + " = "), setting.key());
        }
    }

    @Test
    void bashCompletionCoversTheCommandsAndTheirFlags() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine(new String[] {"generate-completion"});
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("generate-completion"));
        String script = out.toString();
        assertTrue(script.contains("complete -F _complete_thawfs") && script.contains("--materialize-on-open")
                && script.contains("--trace"), script.substring(0, Math.min(400, script.length())));
    }

    @Test
    void everyCommandPrintsTheVersion() {
        for (String command : new String[] {"mount", "prefetch", "status", "unmount", "gc", "config", "mirror",
            "generate-completion"}) {
            StringWriter out = new StringWriter();
            CommandLine cli = Main.commandLine(new String[] {command, "-V"});
            cli.setOut(new PrintWriter(out, true));
            assertEquals(0, cli.execute(command, "-V"), command);
            assertTrue(out.toString().startsWith("thawfs "), command + " -V printed: " + out);
        }
    }

    @Test
    void helpShowsExamples() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true));
        assertEquals(0, cli.execute("mirror", "--help"));
        assertTrue(out.toString().contains("Examples:"), out.toString());
    }

    @Test
    void aCommandsLineHoldsOnlyThatCommandWhileHelpListsThemAll() {
        assertEquals(List.of("unmount"), Main.commandLine(new String[] {"umount", "/mnt"}).getSubcommands().values()
                .stream().map(CommandLine::getCommandName).distinct().toList());
        Outcome help = run("help");
        assertEquals(0, help.exitCode(), help.err());
        for (String command : new String[] {"mount", "prefetch", "index", "status", "unmount", "gc", "config",
            "mirror", "generate-completion"}) {
            assertTrue(help.out().contains("\n  " + command), command + " in: " + help.out());
        }
    }
}
