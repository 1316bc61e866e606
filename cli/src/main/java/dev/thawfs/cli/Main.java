package dev.thawfs.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code thawfs} command. Exit codes: 0 done, 1 failed while running, 2 usage or set-up error. */
@Command(name = "thawfs",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Mounts packaged artifacts from object storage as a read-only tree, fetched lazily"
                + " and then read by the kernel straight from a local store (FUSE passthrough).",
        subcommands = {MountCommand.class, PrefetchCommand.class, StatusCommand.class, UnmountCommand.class, GcCommand.class,
            MirrorCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    public static void main(String[] args) {
        ConsoleLogging.install();
        System.exit(commandLine().execute(args));
    }

    /** The command line with thawfs's exit codes: usage errors are 2, like set-up errors. */
    public static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExitCodeExceptionMapper(e -> EXIT_FAILED)
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println("thawfs: " + e.getMessage());
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
                    return EXIT_USAGE;
                });
    }
}
