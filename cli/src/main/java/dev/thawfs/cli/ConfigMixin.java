package dev.thawfs.cli;

import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE}, and the settings a command runs with: the defaults, then the config
 * file, then {@code THAWFS_*} variables, then the command's flags.
 */
final class ConfigMixin {
    @Option(names = "--config", paramLabel = "FILE",
            description = "a TOML config file; default: $THAWFS_CONFIG, else /etc/thawfs/thawfs.toml if it exists")
    Path file;

    /** A command's flags that override settings. */
    interface Flags {
        Settings applyTo(Settings settings);
    }

    /** The settings; ConfigException names any bad one (Main turns it into exit code 2). */
    Settings settings(Flags... flags) {
        Settings settings = Settings.load(file, Invocation.current().environment());
        for (Flags command : flags) {
            settings = command.applyTo(settings);
        }
        return settings;
    }

    /** {@code settings} with {@code setting} set from a flag's text, when the flag was given. */
    static Settings override(Settings settings, Setting<?> setting, Object flag, String flagName) {
        return flag == null ? settings : settings.with(setting, flag.toString(), flagName);
    }
}
