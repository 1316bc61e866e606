package dev.thawfs.cli;

import dev.thawfs.config.Settings;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code thawfs gc}: evict fetched content from the store, least recently used first. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Evicts fetched content from the local store, least recently used first, until at most SIZE"
                + " remains. Indexes stay: evicted files are fetched again when next used. While a mount uses the store,"
                + " its daemon evicts, and files open on the mount stay."},
        footer = {"", "Examples:", "  thawfs gc --to 5GiB", "  thawfs gc --to 0 --store /var/cache/thawfs"})
final class GcCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigMixin config;

    @Mixin
    private StoreMixin store;

    @Option(names = "--to", paramLabel = "SIZE", required = true, converter = Sizes.class,
            description = "content to keep at most")
    private long target;

    @Override
    public Integer call() {
        Settings settings = config.settings(store);
        if (StoreMixin.missing(settings, spec.commandLine().getOut())) {
            return 0;
        }
        OptionalInt owner = ControlSocket.forward(settings.get(Settings.STORE_DIR), spec);
        if (owner.isPresent()) {
            return owner.getAsInt();
        }
        try (StoreLease lease = StoreMixin.open(settings, Settings.FETCH_CONCURRENCY)) {
            Store opened = lease.store();
            long before = opened.materializedBytes();
            long freed = opened.evictTo(target);
            spec.commandLine().getOut().printf("thawfs: freed %s; %s of fetched content remains in %s%n",
                    human(freed), human(before - freed), opened.directory());
            return 0;
        } catch (StoreException e) {
            spec.commandLine().getErr().println("thawfs: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }

    static String human(long bytes) {
        return bytes < 1 << 20 ? bytes + " bytes" : String.format("%.1f MiB", bytes / 1048576.0);
    }
}
