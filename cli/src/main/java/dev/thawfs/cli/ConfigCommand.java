package dev.thawfs.cli;

import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code thawfs config}: every setting's value in force and where it came from, as a TOML file. */
@Command(name = "config", mixinStandardHelpOptions = true,
        description = {"Checks the configuration and prints every setting in force as a TOML file, each with where"
                + " its value came from: the default, the config file (with its line), a THAWFS_* environment"
                + " variable. A bad value is reported with its key, what was given and what is allowed (exit 2).",
            "Each setting section.name can be set in the file's [section] or as THAWFS_SECTION_NAME (dashes as"
                    + " underscores), e.g. [store] budget = \"20GiB\" or THAWFS_STORE_BUDGET=20GiB."},
        footer = {"", "Examples:", "  thawfs config", "  thawfs config --config ./thawfs.toml",
            "  thawfs config > /etc/thawfs/thawfs.toml   # a starting point"})
final class ConfigCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigMixin config;

    @Override
    public Integer call() {
        Settings settings = config.settings();
        PrintWriter out = spec.commandLine().getOut();
        String section = "";
        for (Setting<?> setting : Settings.ALL) {
            if (!setting.section().equals(section)) {
                section = setting.section();
                out.printf("%n[%s]%n", section);
            }
            Settings.Value value = settings.describe(setting);
            out.printf("# %s%n", setting.description());
            out.printf("%s = %s    # %s%n", setting.name(), toml(value.text()), value.origin());
        }
        out.flush();
        return 0;
    }

    /** Numbers and booleans bare, everything else a quoted string. */
    private static String toml(String text) {
        if (text.matches("true|false|\\d+")) {
            return text;
        }
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
