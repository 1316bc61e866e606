package dev.thawfs.cli;

import dev.thawfs.config.ConfigException;
import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * {@code -o OPTIONS} as mount(8) passes them to {@code mount.thawfs} from its command line or
 * /etc/fstab: settings by key ({@code fetch.timeout=2m}) or by the name of the flag that sets them
 * ({@code store=/var/cache/thawfs}), and the generic options of mount(8), which change nothing here.
 */
final class FstabOptions implements ConfigMixin.Flags {
    /** The flags of {@code thawfs mount} that set a setting, without their dashes. */
    private static final Map<String, Setting<?>> FLAG_NAMES = Map.of("store", Settings.STORE_DIR,
            "budget", Settings.STORE_BUDGET, "s3-endpoint", Settings.S3_ENDPOINT, "s3-region", Settings.S3_REGION,
            "passthrough", Settings.MOUNT_PASSTHROUGH, "workers", Settings.MOUNT_WORKERS,
            "allow-other", Settings.MOUNT_ALLOW_OTHER, "materialize-on-open", Settings.MOUNT_MATERIALIZE_ON_OPEN,
            "fetch-timeout", Settings.FETCH_TIMEOUT, "metrics", Settings.MOUNT_METRICS);

    /**
     * mount(8)'s own options. The mount is read-only whatever they say: mount(8) passes {@code rw}
     * whenever {@code ro} is not given, so {@code rw} cannot mean that the user asked for writes.
     */
    private static final Set<String> GENERIC = Set.of("ro", "rw", "defaults", "auto", "noauto", "user", "nouser",
            "users", "owner", "group", "_netdev", "nofail", "sync", "async", "dirsync", "atime", "noatime",
            "relatime", "norelatime", "strictatime", "nostrictatime", "lazytime", "nolazytime", "diratime",
            "nodiratime", "dev", "nodev", "exec", "noexec", "suid", "nosuid", "silent", "loud", "iversion",
            "noiversion", "mand", "nomand");

    @Option(names = {"-o", "--options"}, paramLabel = "OPTIONS",
            description = "comma-separated settings as mount(8) and /etc/fstab pass them: KEY=VALUE by setting key"
                    + " (fetch.timeout=2m) or flag name (store=DIR, budget=SIZE, passthrough=MODE, workers=N,"
                    + " allow-other, materialize-on-open=SIZE, fetch-timeout=DURATION, metrics=[ADDRESS:]PORT,"
                    + " s3-endpoint=URL, s3-region=REGION); mount(8)'s generic options (ro, _netdev, nofail, x-systemd.*, ...) are"
                    + " ignored; flags override these")
    String options;

    @Override
    public Settings applyTo(Settings settings) {
        if (options == null) {
            return settings;
        }
        Settings applied = settings;
        for (String option : options.split(",")) {
            int equals = option.indexOf('=');
            String name = equals < 0 ? option : option.substring(0, equals);
            if (option.isEmpty() || GENERIC.contains(option) || name.startsWith("x-") || name.equals("comment")) {
                continue;
            }
            Setting<?> setting = setting(name).orElseThrow(() -> new ConfigException("-o " + option
                    + ": no such mount option; thawfs takes settings by key (store.budget=20GiB, see thawfs config)"
                    + " or flag name (" + String.join(", ", FLAG_NAMES.keySet().stream().sorted().toList())
                    + ") and ignores mount(8)'s generic options (ro, _netdev, nofail, x-systemd.*, ...)"));
            applied = applied.with(setting, equals < 0 ? "true" : option.substring(equals + 1), "-o " + name);
        }
        return applied;
    }

    private static Optional<Setting<?>> setting(String name) {
        return Optional.<Setting<?>>ofNullable(FLAG_NAMES.get(name))
                .or(() -> Settings.ALL.stream().filter(s -> s.key().equals(name)).findFirst());
    }
}
