package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Setting;
import dev.thawfs.config.Settings;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import dev.thawfs.store.StoreOptions;
import java.io.IOException;
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

    /**
     * The store for a command: opened here with {@code concurrency} materializations at once, or,
     * for a client's command run by the daemon that owns it, the daemon's.
     */
    static StoreLease open(Settings settings, Setting<Integer> concurrency) {
        ControlServer.Connection client = Invocation.current().client();
        if (client != null) {
            return client.server().lease();
        }
        Store store = openHere(settings, concurrency);
        return new StoreLease(store, store::close);
    }

    /** {@link #open}, and for a store opened here, its control socket served until the lease closes (mounts). */
    static StoreLease serve(Settings settings, Setting<Integer> concurrency) {
        return Invocation.current().client() != null ? open(settings, concurrency)
                : ControlServer.serve(openHere(settings, concurrency));
    }

    private static Store openHere(Settings settings, Setting<Integer> concurrency) {
        Store store = Store.open(settings.get(Settings.STORE_DIR), new StoreOptions(settings.get(Settings.STORE_BUDGET),
                settings.get(Settings.STORE_MIN_FREE_PERCENT), settings.get(concurrency),
                StoreOptions.defaults().cacheEntries()));
        try { // holding the store's lock: a control socket here was left by a daemon killed with -9
            Files.deleteIfExists(ControlSocket.path(store.directory()));
        } catch (IOException e) {
            store.close();
            throw new StoreException("cannot remove the stale control socket in " + store.directory() + ": " + e, e);
        }
        return store;
    }
}
