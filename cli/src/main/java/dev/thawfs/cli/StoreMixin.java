package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which local store a command uses, and its size budget. */
final class StoreMixin implements ConfigMixin.Flags {
    @Option(names = "--store", paramLabel = "DIR",
            description = "the local store; default: ${sys:thawfs.default.store.dir} (store.dir)")
    Path directory;

    @Option(names = "--budget", paramLabel = "SIZE",
            description = "fetched content kept before evicting; default: ${sys:thawfs.default.store.budget}"
                    + " (store.budget)")
    String budget;

    @Override
    public Settings applyTo(Settings settings) {
        Settings withDirectory = override(settings, Settings.STORE_DIR,
                directory == null ? null : directory.toAbsolutePath(), "--store");
        return override(withDirectory, Settings.STORE_BUDGET, budget, "--budget");
    }

    /**
     * Whether there is no store directory, which is then said on {@code out}: commands that look
     * at a store must not create one.
     */
    static boolean missing(Settings settings, PrintWriter out) {
        Path directory = settings.get(Settings.STORE_DIR);
        if (Files.exists(directory)) {
            return false;
        }
        out.println("thawfs: no store at " + directory + " (nothing was fetched into it yet)");
        out.flush();
        return true;
    }

    /** Opens the store with {@code concurrency} materializations at once. */
    static Store open(Settings settings, Setting<Integer> concurrency) {
        return Store.open(settings.get(Settings.STORE_DIR), new StoreOptions(settings.get(Settings.STORE_BUDGET),
                settings.get(Settings.STORE_MIN_FREE_PERCENT), settings.get(concurrency),
                StoreOptions.defaults().cacheEntries()));
    }
}
