package dev.thawfs.cli;

import dev.thawfs.config.ConfigException;
import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import dev.thawfs.fetcher.BadSourceException;
import java.util.List;
import java.util.Optional;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code thawfs} command. Exit codes: 0 done, 1 failed while running, 2 usage or set-up error. */
@Command(name = "thawfs",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Mounts packaged artifacts from object storage as a read-only tree, fetched lazily"
                + " and then read by the kernel straight from a local store (FUSE passthrough).",
        footer = {"", "Settings come from a TOML file (--config, $THAWFS_CONFIG or /etc/thawfs/thawfs.toml),"
                + " THAWFS_* environment variables and flags, each overriding the one before: see thawfs config.",
            "Bash completion: thawfs generate-completion > /etc/bash_completion.d/thawfs"})
public final class Main {
    private static final System.Logger LOG = System.getLogger(Main.class.getName());
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    /** The subcommands, in the order help lists them. */
    private static final List<Class<?>> COMMANDS = List.of(MountCommand.class, PrefetchCommand.class,
            IndexCommand.class, StatusCommand.class, UnmountCommand.class, GcCommand.class, ConfigCommand.class,
            MirrorCommand.class, AutoComplete.GenerateCompletion.class, CommandLine.HelpCommand.class);

    public static void main(String[] args) {
        ConsoleLogging.install();
        System.exit(commandLine(args).execute(args));
    }

    /** The whole command line, every subcommand in it. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line that {@code invoked} needs, with thawfs's exit codes: usage and configuration
     * errors are 2, like set-up errors; any other exception a command lets out is a bug: 1, with its
     * stack trace. Picocli's model of a command is built by reflection, a
     * tenth of a second for the others that a mount never runs: when {@code invoked} starts with a
     * subcommand's name, only that one is in it (help, completion and anything else get them all).
     */
    public static CommandLine commandLine(String[] invoked) {
        for (Setting<?> setting : Settings.ALL) { // for "${sys:thawfs.default.KEY}" in the flags' help
            System.setProperty("thawfs.default." + setting.key(), setting.defaultText().isEmpty() ? "none"
                    : setting.defaultText());
        }
        CommandLine commandLine = new CommandLine(new Main())
                .setExitCodeExceptionMapper(e -> EXIT_FAILED)
                .setExecutionExceptionHandler((e, cmd, parseResult) -> {
                    if (e instanceof BadSourceException) {
                        cmd.getErr().println("thawfs: " + e.getMessage());
                        return EXIT_USAGE;
                    }
                    if (!(e instanceof ConfigException)) {
                        LOG.log(System.Logger.Level.ERROR, "internal error in thawfs " + cmd.getCommandName()
                                + " (a bug; please report it with this trace): " + e, e);
                        if (Invocation.current().client() != null) { // the log is the daemon's: say so here too
                            cmd.getErr().println("thawfs: internal error in the daemon (its log has the trace): " + e);
                        }
                        return EXIT_FAILED;
                    }
                    cmd.getErr().println("thawfs: " + e.getMessage().replace("\n", "\nthawfs: "));
                    cmd.getErr().println("See 'thawfs config --help' and README.md (Configuration).");
                    return EXIT_USAGE;
                })
                .setParameterExceptionHandler((e, args) -> {
                    CommandLine cmd = e.getCommandLine();
                    cmd.getErr().println("thawfs: " + e.getMessage());
                    cmd.getErr().println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more.");
                    return EXIT_USAGE;
                });
        List<Class<?>> commands = named(invoked.length == 0 ? "" : invoked[0]).<List<Class<?>>>map(List::of)
                .orElse(COMMANDS);
        commands.forEach(commandLine::addSubcommand);
        CommandLine completion = commandLine.getSubcommands().get("generate-completion");
        if (completion != null) {
            completion.getCommandSpec().usageMessage().hidden(false);
        }
        // a subcommand's -V/--version prints nothing unless it has a provider of its own
        commandLine.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        return commandLine;
    }

    private static Optional<Class<?>> named(String name) {
        return COMMANDS.stream()
                .filter(command -> command != CommandLine.HelpCommand.class
                        && command != AutoComplete.GenerateCompletion.class) // these two describe the others
                .filter(command -> {
                    Command annotation = command.getAnnotation(Command.class);
                    return annotation.name().equals(name) || List.of(annotation.aliases()).contains(name);
                })
                .findFirst();
    }
}
