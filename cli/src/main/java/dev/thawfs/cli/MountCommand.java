package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Settings;
import dev.thawfs.fetcher.BadSourceException;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.fs.thaw.ThawOptions;
import dev.thawfs.fs.thaw.TracePrefetch;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thawfs mount}: artifacts as one read-only tree, fetched lazily, passed through once local. */
@Command(name = "mount",
        mixinStandardHelpOptions = true,
        description = {
            "Mounts artifacts (zip/jar/wheel, tar, tar.gz, tar.zst, tar.xz, or whole prefixes) read-only on MOUNTPOINT."
                    + " Only indexes are read at mount time; a file is fetched into the store the first time it is"
                    + " opened, and from then on the kernel reads it from the store directly (FUSE passthrough).",
            "Runs in the foreground until Ctrl-C or SIGTERM, which unmount it; with --daemon it returns once the"
                    + " mount answers and keeps serving in the background (stop it with thawfs unmount).",
            "With a store another mount uses, the daemon serving that one mounts this one too, over the same store,"
                    + " and this command returns once the mount answers (--daemon or not); it exits when its last"
                    + " mount is unmounted."},
        footer = {"", "Examples:",
            "  thawfs mount ./app.zip /mnt/app",
            "  thawfs mount s3://builds/jdk.tar.gz=jdk s3://builds/app.jar=lib/app.jar /mnt/job",
            "  thawfs mount --s3-endpoint http://127.0.0.1:9000 s3://repo/maven/ /mnt/maven",
            "  thawfs mount s3://builds/lib.bin#zip=lib /mnt/job",
            "  thawfs mount https://example.org/releases/app-1.2.zip /mnt/app",
            "  thawfs mount --http-listing index https://repo.example.org/maven2/ /mnt/maven",
            "  thawfs mount --http-listing none https://repo1.maven.org/maven2/ /mnt/maven",
            "  thawfs mount --daemon --record /tmp/startup.trace s3://builds/app.zip /mnt/app",
            "  thawfs mount --daemon --prefetch /tmp/startup.trace s3://builds/app.zip /mnt/app",
            "  thawfs mount --daemon --metrics 9464 -o store=/var/cache/thawfs,budget=20GiB s3://builds/app.zip /mnt/app",
            "  mount -t thawfs -o budget=20GiB s3://builds/app.zip /mnt/app   (after bin/setup --install)",
            "", "SOURCE is s3://BUCKET/KEY, s3://BUCKET/PREFIX/ (every object below it), https://HOST/PATH (or"
                    + " http://), https://HOST/PREFIX/ (the tree of the server's index pages, or with --http-listing none"
                    + " each name looked up when asked for), a local file or directory;"
                    + " the format comes from the name, or from #zip, #tar, #tar.gz, #tar.zst or #tar.xz after it."})
final class MountCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "SOURCE[=PATH]... MOUNTPOINT", hideParamSyntax = true,
            description = "artifacts, each optionally placed at PATH inside the mount, then the mount point")
    private List<String> arguments;

    @Mixin
    private ConfigMixin config;

    @Mixin
    private StoreMixin store;

    @Mixin
    private SourceMixin sources;

    @Mixin
    private MountMixin mount;

    @Mixin
    private FstabOptions fstabOptions;

    @Option(names = "--materialize-on-open", paramLabel = "SIZE",
            description = "cold files up to this size are fetched whole before open returns; default:"
                    + " ${sys:thawfs.default.mount.materialize-on-open} (mount.materialize-on-open)")
    private String materializeOnOpen;

    @Option(names = "--fetch-timeout", paramLabel = "DURATION",
            description = "a cold open or read fails with EIO after waiting this long for content; default:"
                    + " ${sys:thawfs.default.fetch.timeout} (fetch.timeout)")
    private String fetchTimeout;

    @Option(names = "--metrics", paramLabel = "[ADDRESS:]PORT",
            description = "serve metrics in the Prometheus text format at http://ADDRESS:PORT/metrics (127.0.0.1"
                    + " unless ADDRESS is given; port 0: any free one, shown by thawfs status); default: off"
                    + " (mount.metrics)")
    private String metrics;

    @Option(names = "--daemon", description = "return once the mount answers; serve in the background")
    private boolean daemon;

    @Option(names = "--log", paramLabel = "FILE",
            description = "with --daemon, where its messages go; default: daemon.log in the store")
    private Path log;

    @Option(names = "--record", paramLabel = "FILE",
            description = "write each file's first access (time since mount, offset, length, path) to FILE")
    private Path record;

    @Option(names = "--prefetch", paramLabel = "FILE",
            description = "fetch the files of a recorded trace (or a list of paths) in the background, in order,"
                    + " right after mounting; prefetch.concurrency at a time")
    private Path prefetch;

    @Override
    public Integer call() throws Exception {
        Settings settings = config.settings(fstabOptions, store, sources, mount, this::applyTo);
        PrintWriter err = spec.commandLine().getErr();
        Invocation invocation = Invocation.current();
        Path mountpoint = invocation.path(arguments.get(arguments.size() - 1));
        List<String> layerSources = arguments.subList(0, arguments.size() - 1);
        try { // all that can be known before a daemon starts or the store is created
            SourceMixin.check(layerSources);
            Mounts.checkMountpoint(mountpoint);
        } catch (BadSourceException | MountException e) {
            return usageError(e.getMessage());
        }
        List<String> tracePaths;
        try {
            tracePaths = prefetch == null ? List.of() : AccessTrace.paths(prefetch);
        } catch (IOException e) {
            return usageError("--prefetch: cannot read " + prefetch + " (" + e + ")");
        }
        OptionalInt owner = ControlSocket.forward(settings.get(Settings.STORE_DIR), spec);
        if (owner.isPresent()) { // the daemon that owns the store mounts this one too
            return owner.getAsInt();
        }
        Daemon detached = null;
        if (daemon && invocation.client() == null) {
            if (!Daemon.hasStarter()) {
                return usageError("--daemon is run by bin/thawfs, which returns once the mount answers: run"
                        + " bin/thawfs mount --daemon ..., or leave out --daemon to mount in the foreground");
            }
            Path daemonLog = log != null ? log : settings.get(Settings.STORE_DIR).resolve("daemon.log");
            try {
                detached = Daemon.detach(daemonLog);
            } catch (IOException e) {
                return usageError("cannot start the daemon with its log in " + daemonLog + ": " + e.getMessage());
            }
        }
        try (SourceMixin.Opening opening = new SourceMixin.Opening(settings, layerSources);
                StoreLease lease = StoreMixin.serve(settings, Settings.FETCH_CONCURRENCY);
                FetcherSource content = new FetcherSource();
                AccessTrace trace = record == null ? null : AccessTrace.record(record);
                MetricsServer metricsServer = settings.get(Settings.MOUNT_METRICS).isEmpty() ? null
                        : MetricsServer.bind(settings.get(Settings.MOUNT_METRICS).get())) {
            Store opened = lease.store();
            List<Layer> layers = SourceMixin.importLayers(opened, content, opening);
            ThawFilesystem filesystem = new ThawFilesystem(opened, layers, content, new ThawOptions(
                    settings.get(Settings.MOUNT_MATERIALIZE_ON_OPEN), settings.get(Settings.FETCH_TIMEOUT),
                    settings.get(Settings.MOUNT_READ_AHEAD), settings.get(Settings.MOUNT_SEQUENTIAL_READ_AHEAD)));
            if (trace != null) {
                filesystem.recordAccessesTo(trace);
            }
            Signals.Termination termination = Signals.catchTermination();
            try (FuseSession session = mount.mount(mountpoint, filesystem, settings, String.join(",", layerSources),
                    opened.directory())) {
                termination.stopWith(session::close);
                MountFigures figures = new MountFigures(opened, layers, content, filesystem, session);
                if (metricsServer != null) {
                    metricsServer.serve(() -> PrometheusText.render(figures));
                    filesystem.reportStatusWith(() -> figures.status().put("metrics", metricsServer.address()).lines());
                } else {
                    filesystem.reportStatusWith(() -> figures.status().lines());
                }
                if (!tracePaths.isEmpty()) {
                    filesystem.prefetch(tracePaths, settings.get(Settings.PREFETCH_CONCURRENCY))
                            .thenAccept(result -> reportPrefetch(result, err));
                }
                if (Files.isDirectory(mountpoint)) { // the mount answers a stat: it is usable
                    if (detached != null) {
                        detached.ready();
                    } else if (invocation.client() != null) {
                        spec.commandLine().getOut().println("thawfs: mounted " + mountpoint + " (daemon pid "
                                + ProcessHandle.current().pid() + ", which owns the store " + opened.directory() + ")");
                        invocation.client().finish(0);
                    }
                }
                session.awaitUnmount();
            }
            return 0;
        } catch (StoreException | BadSourceException | IOException e) {
            return usageError(e.getMessage());
        }
    }

    private Settings applyTo(Settings settings) {
        Settings onOpen = override(settings, Settings.MOUNT_MATERIALIZE_ON_OPEN, materializeOnOpen,
                "--materialize-on-open");
        return override(override(onOpen, Settings.FETCH_TIMEOUT, fetchTimeout, "--fetch-timeout"),
                Settings.MOUNT_METRICS, metrics, "--metrics");
    }

    private static void reportPrefetch(TracePrefetch.Result result, PrintWriter err) {
        err.println("thawfs: prefetched " + result.fetched() + " files" + (result.missing().isEmpty() ? ""
                : "; " + result.missing().size() + " listed paths are no file here, e.g. " + result.missing().get(0))
                + (result.failed().isEmpty() ? "" : "; " + result.failed().size() + " failed, e.g. "
                        + result.failed().get(0)));
        err.flush();
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("thawfs: " + message);
        return Main.EXIT_USAGE;
    }
}
