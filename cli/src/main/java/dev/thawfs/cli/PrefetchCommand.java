package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Settings;
import dev.thawfs.fetcher.BadSourceException;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.LayerTree;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.MaterializeException;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thawfs prefetch}: fetch artifacts' files into the store ahead of a job, without mounting. */
@Command(name = "prefetch",
        mixinStandardHelpOptions = true,
        description = {
            "Fetches files of artifacts into the local store without mounting, so a later thawfs mount starts"
                    + " warm: its first reads are local, and it works with the object store unreachable.",
            "While a mount uses the store, its daemon does the fetching, and the mount reads the files from the"
                    + " store as they arrive."},
        footer = {"", "Examples:",
            "  thawfs prefetch --all s3://builds/app.zip",
            "  thawfs prefetch --paths startup-files.txt s3://builds/jdk.tar s3://builds/app.jar",
            "  thawfs prefetch --trace /tmp/startup.trace s3://builds/jdk.tar.gz=jdk s3://builds/app.jar=lib/app.jar",
            "", "With --paths and --trace, paths are in the tree a mount of the same SOURCE[=PATH] list shows.",
            "", "Exit codes: 0 all fetched, 1 some entries failed (listed), 2 usage or set-up error."})
final class PrefetchCommand implements Callable<Integer> {
    /** Files announced to the fetcher at a time. */
    private static final int BATCH = 256;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ConfigMixin config;

    @Mixin
    private StoreMixin store;

    @Mixin
    private SourceMixin sources;

    /** What to fetch: everything, or the paths listed in a file or a recorded trace. */
    static final class Selection {
        @Option(names = "--all", required = true, description = "every file of the artifacts")
        boolean all;

        @Option(names = "--paths", required = true, paramLabel = "FILE",
                description = "a file of paths, one per line ('#' starts a comment)")
        Path paths;

        @Option(names = "--trace", required = true, paramLabel = "FILE",
                description = "a trace recorded by thawfs mount --record: its files, in recorded order")
        Path trace;

        Path list() {
            return paths != null ? paths : trace;
        }
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Selection selection;

    @Option(names = "--concurrency", paramLabel = "N",
            description = "files fetched at once; default: ${sys:thawfs.default.prefetch.concurrency}"
                    + " (prefetch.concurrency)")
    private Integer concurrency;

    @Parameters(arity = "1..*", paramLabel = "SOURCE[=PATH]",
            description = "s3://BUCKET/KEY, s3://BUCKET/PREFIX/, https://HOST/PATH, https://HOST/PREFIX/, a file or"
                    + " directory, optionally placed at PATH")
    private List<String> sourceList;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        Settings settings = config.settings(store, sources,
                s -> override(s, Settings.PREFETCH_CONCURRENCY, concurrency, "--concurrency"));
        try {
            SourceMixin.check(sourceList);
        } catch (BadSourceException e) {
            return usageError(e.getMessage());
        }
        OptionalInt owner = ControlSocket.forward(settings.get(Settings.STORE_DIR), spec);
        if (owner.isPresent()) {
            return owner.getAsInt();
        }
        try (SourceMixin.Opening opening = new SourceMixin.Opening(settings, sourceList);
                StoreLease lease = StoreMixin.open(settings, Settings.PREFETCH_CONCURRENCY);
                FetcherSource content = new FetcherSource()) {
            Store opened = lease.store();
            List<Layer> layers = SourceMixin.importLayers(opened, content, opening);
            Map<Node, String> files = selection.all ? allFiles(opened, layers)
                    : listedFiles(new LayerTree(opened, layers), err);
            if (files == null) {
                return Main.EXIT_USAGE;
            }
            return fetch(opened, content, files, settings.get(Settings.PREFETCH_CONCURRENCY), err);
        } catch (StoreException | BadSourceException | IOException e) {
            return usageError(e.getMessage());
        }
    }

    /**
     * Fetches the files, {@code concurrency} at a time: in the store of a running mount, a file
     * its job opens meanwhile waits behind those only, not behind the whole list.
     */
    private int fetch(Store opened, FetcherSource content, Map<Node, String> files, int concurrency, PrintWriter err)
            throws InterruptedException {
        Semaphore fetching = new Semaphore(concurrency);
        long bytes = files.keySet().stream().mapToLong(Node::size).sum();
        List<String> failed = new ArrayList<>();
        try (PrefetchProgress progress = new PrefetchProgress(files.size(), bytes, err)) {
            // Announced a batch ahead of the fetches, so neighbours in an archive share requests while
            // the fetcher holds at most two batches' worth of them.
            List<Node> nodes = List.copyOf(files.keySet());
            List<CompletableFuture<Node>> running = new ArrayList<>(nodes.size());
            for (int from = 0; from < nodes.size(); from += BATCH) {
                List<Node> batch = nodes.subList(from, Math.min(nodes.size(), from + BATCH));
                content.expect(batch);
                for (Node node : batch) {
                    fetching.acquire();
                    running.add(opened.materialize(node, content, progress)
                            .whenComplete((done, error) -> fetching.release()));
                }
                if (from >= BATCH) {
                    awaitAll(running.subList(from - BATCH, from));
                }
            }
            for (int i = 0; i < nodes.size(); i++) {
                try {
                    running.get(i).get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                    failed.add(files.get(nodes.get(i)) + ": "
                            + (cause instanceof MaterializeException ? cause.getMessage() : cause));
                }
            }
            err.println(progress.line() + (failed.isEmpty() ? ", done" : ", " + failed.size() + " failed:"));
        }
        failed.forEach(line -> err.println("  " + line));
        return failed.isEmpty() ? 0 : Main.EXIT_FAILED;
    }

    /** Waits for {@code fetches} to end, failed or not (failures are collected afterwards). */
    private static void awaitAll(List<CompletableFuture<Node>> fetches) throws InterruptedException {
        try {
            CompletableFuture.allOf(fetches.toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException someFailed) {
            CompletableFuture.allOf(fetches.stream().map(fetch -> fetch.exceptionally(error -> null))
                    .toArray(CompletableFuture[]::new)).join();
        }
    }

    /**
     * Every file of the artifacts (hidden ones too: a later mount may order the layers
     * differently), in the order they lie in their artifacts (node ids are given in that order),
     * so that an archive is read front to back.
     */
    private static Map<Node, String> allFiles(Store opened, List<Layer> layers) {
        Map<Node, String> files = new TreeMap<>(Comparator.comparingLong(Node::id));
        for (Layer layer : layers) {
            collect(opened, layer.artifact().rootId(), layer.path().isEmpty() ? "" : layer.path() + "/", files);
        }
        return files;
    }

    private static void collect(Store opened, long directory, String prefix, Map<Node, String> files) {
        for (Node child : opened.children(directory, "", Integer.MAX_VALUE)) {
            if (child.isDirectory()) {
                collect(opened, child.id(), prefix + child.name() + "/", files);
            } else if (child.isFile()) {
                files.put(child, prefix + child.name());
            }
        }
    }

    /** The listed files, in their order; null after reporting paths that name no file. */
    private Map<Node, String> listedFiles(LayerTree tree, PrintWriter err) throws IOException {
        Map<Node, String> files = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        for (String path : AccessTrace.paths(selection.list())) {
            Optional<Node> node = tree.file(path);
            if (node.isPresent()) {
                files.putIfAbsent(node.get(), path);
            } else {
                missing.add(path);
            }
        }
        if (!missing.isEmpty()) {
            err.println("thawfs: " + missing.size() + " paths in " + selection.list() + " are no file of these"
                    + " artifacts (with SOURCE=PATH, paths include PATH):");
            missing.forEach(path -> err.println("  " + path));
            return null;
        }
        return files;
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("thawfs: " + message);
        return Main.EXIT_USAGE;
    }
}
