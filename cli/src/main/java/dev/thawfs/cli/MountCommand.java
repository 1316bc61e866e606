package dev.thawfs.cli;

import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
            "Mounts artifacts (zip/jar/wheel, tar, tar.gz, tar.zst, or whole prefixes) read-only on MOUNTPOINT."
                    + " Only indexes are read at mount time; a file is fetched into the store the first time it is"
                    + " opened, and from then on the kernel reads it from the store directly (FUSE passthrough).",
            "Runs in the foreground until Ctrl-C or SIGTERM, which unmount it."},
        footer = {"", "Examples:",
            "  thawfs mount ./app.zip /mnt/app",
            "  thawfs mount s3://builds/jdk.tar.gz=jdk s3://builds/app.jar=lib/app.jar /mnt/job",
            "  thawfs mount --s3-endpoint http://127.0.0.1:9000 s3://repo/maven/ /mnt/maven",
            "", "SOURCE is s3://BUCKET/KEY, s3://BUCKET/PREFIX/ (every object below it), a local file or directory."})
final class MountCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "2..*", paramLabel = "SOURCE[=PATH]... MOUNTPOINT",
            description = "artifacts, each optionally placed at PATH inside the mount, then the mount point")
    private List<String> arguments;

    @Mixin
    private StoreMixin store;

    @Mixin
    private SourceMixin sources;

    @Mixin
    private MountMixin mount;

    @Option(names = "--materialize-on-open", paramLabel = "SIZE", converter = Sizes.class, defaultValue = "64MiB",
            description = "cold files up to this size are fetched whole before open returns; default: ${DEFAULT-VALUE}")
    private long materializeOnOpen;

    @Option(names = "--fetch-timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "a cold open or read fails with EIO after this long without content; default: ${DEFAULT-VALUE}")
    private long fetchTimeoutSeconds;

    @Override
    public Integer call() throws InterruptedException {
        Path mountpoint = Path.of(arguments.get(arguments.size() - 1));
        if (fetchTimeoutSeconds < 1) {
            return usageError("--fetch-timeout: " + fetchTimeoutSeconds + " is not a number of seconds of 1 or more");
        }
        try (Store opened = store.open(); FetcherSource content = new FetcherSource()) {
            List<Layer> layers = new ArrayList<>();
            for (String source : arguments.subList(0, arguments.size() - 1)) {
                int equals = source.indexOf('=');
                String uri = equals < 0 ? source : source.substring(0, equals);
                Artifact artifact = sources.importSource(opened, content, uri, spec.commandLine().getErr());
                layers.add(new Layer(artifact, equals < 0 ? "" : source.substring(equals + 1)));
            }
            ThawFilesystem filesystem = new ThawFilesystem(opened, layers, content, materializeOnOpen,
                    Duration.ofSeconds(fetchTimeoutSeconds));
            filesystem.reportStatusWith(() -> status(opened, layers, content, filesystem));
            try (FuseSession session = FuseSession.mount(mountpoint, filesystem,
                    mount.options("thawfs", opened.directory()))) {
                Signals.onTermination(session::close);
                session.awaitUnmount();
            }
            return 0;
        } catch (MountException | StoreException | IllegalArgumentException e) {
            return usageError(e.getMessage());
        } catch (IOException e) {
            return usageError(e.getMessage());
        }
    }

    private static String status(Store store, List<Layer> layers, FetcherSource content, ThawFilesystem filesystem) {
        long[] fetched = content.counters();
        return StatusReport.of(store, layers.stream().map(Layer::artifact).toList())
                .put("tier", filesystem.tier()).put("fetches_running", filesystem.fetchesRunning())
                .put("object_store_requests", fetched[0]).put("object_store_bytes", fetched[1])
                .put("object_store_retries", fetched[2]).put("object_store_failures", fetched[3]).lines();
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("thawfs: " + message);
        return Main.EXIT_USAGE;
    }
}
