package dev.thawfs.cli;

import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.config.Settings;
import dev.thawfs.store.StoreException;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thawfs status}: what a mount (or a store not in use) holds and does. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Shows a mount's artifacts, the store's size against its budget, the passthrough tier,"
                + " files in passthrough, fetches under way and object store counters. With --store and no"
                + " MOUNTPOINT, shows the store (asking the daemon that owns it, if one does)."},
        footer = {"", "Examples:", "  thawfs status /mnt/job", "  thawfs status --json /mnt/job",
            "  thawfs status --store /var/cache/thawfs"})
final class StatusCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "MOUNTPOINT")
    private Path mountpoint;

    @Mixin
    private ConfigMixin config;

    @Mixin
    private StoreMixin store;

    @Option(names = "--json", description = "one JSON object instead of text")
    private boolean json;

    @Override
    public Integer call() {
        StatusReport report;
        if (mountpoint != null) {
            try {
                report = StatusReport.parse(NativeFiles.getxattr(mountpoint, ThawFilesystem.STATUS_XATTR));
            } catch (ErrnoException e) {
                spec.commandLine().getErr().println("thawfs: " + mountpoint + " is not a thawfs mount answering"
                        + " status (" + e.getMessage() + ")");
                return Main.EXIT_USAGE;
            }
        } else {
            Settings settings = config.settings(store);
            if (StoreMixin.missing(settings, spec.commandLine().getErr())) { // stdout stays for reports
                return 0;
            }
            OptionalInt owner = ControlSocket.forward(settings.get(Settings.STORE_DIR), spec);
            if (owner.isPresent()) {
                return owner.getAsInt();
            }
            try (StoreLease lease = StoreMixin.open(settings, Settings.FETCH_CONCURRENCY)) {
                report = StatusReport.of(lease.store(), lease.store().artifacts());
            } catch (StoreException e) {
                spec.commandLine().getErr().println("thawfs: " + e.getMessage());
                return Main.EXIT_USAGE;
            }
        }
        spec.commandLine().getOut().print(json ? report.json() + "\n" : report.text());
        spec.commandLine().getOut().flush();
        return 0;
    }
}
