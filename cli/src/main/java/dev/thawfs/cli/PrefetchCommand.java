package dev.thawfs.cli;

import dev.thawfs.store.Artifact;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.MaterializeException;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
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
                    + " warm: its first reads are local, and it works with the object store unreachable."},
        footer = {"", "Examples:",
            "  thawfs prefetch --all s3://builds/app.zip",
            "  thawfs prefetch --paths startup-files.txt s3://builds/jdk.tar s3://builds/app.jar",
            "", "Exit codes: 0 all fetched, 1 some entries failed (listed), 2 usage or set-up error."})
final class PrefetchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Mixin
    private StoreMixin store;

    @Mixin
    private SourceMixin sources;

    /** What to fetch: everything, or the paths listed in a file. */
    static final class Selection {
        @Option(names = "--all", required = true, description = "every file of the artifacts")
        boolean all;

        @Option(names = "--paths", required = true, paramLabel = "FILE",
                description = "a file of paths inside the artifacts, one per line ('#' starts a comment)")
        Path paths;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Selection selection;

    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
            description = "files fetched at once; default: ${DEFAULT-VALUE}")
    private int concurrency;

    @Parameters(arity = "1..*", paramLabel = "SOURCE", description = "s3://BUCKET/KEY, s3://BUCKET/PREFIX/, a file or directory")
    private List<String> sourceList;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (concurrency < 1 || concurrency > 256) {
            return usageError("--concurrency: " + concurrency + " is not between 1 and 256");
        }
        store.concurrency = concurrency;
        try (Store opened = store.open(); FetcherSource content = new FetcherSource()) {
            List<Artifact> artifacts = new ArrayList<>();
            for (String source : sourceList) {
                artifacts.add(sources.importSource(opened, content, source, err));
            }
            Map<Node, String> files = selection.all ? allFiles(opened, artifacts) : listedFiles(opened, artifacts, err);
            if (files == null) {
                return Main.EXIT_USAGE;
            }
            return fetch(opened, content, files, err);
        } catch (StoreException | IllegalArgumentException | IOException e) {
            return usageError(e.getMessage());
        }
    }

    private int fetch(Store opened, FetcherSource content, Map<Node, String> files, PrintWriter err)
            throws InterruptedException {
        long bytes = files.keySet().stream().mapToLong(Node::size).sum();
        List<String> failed = new ArrayList<>();
        try (PrefetchProgress progress = new PrefetchProgress(files.size(), bytes, err)) {
            // Keyed by node: the same path may be in several artifacts.
            Map<Node, CompletableFuture<Node>> running = new LinkedHashMap<>();
            files.keySet().forEach(node -> running.put(node, opened.materialize(node, content, progress)));
            for (Map.Entry<Node, CompletableFuture<Node>> file : running.entrySet()) {
                try {
                    file.getValue().get();
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
                    failed.add(files.get(file.getKey()) + ": "
                            + (cause instanceof MaterializeException ? cause.getMessage() : cause));
                }
            }
            err.println(progress.line() + (failed.isEmpty() ? ", done" : ", " + failed.size() + " failed:"));
        }
        failed.forEach(line -> err.println("  " + line));
        return failed.isEmpty() ? 0 : Main.EXIT_FAILED;
    }

    /** Every file of the artifacts, by its path inside its artifact. */
    private static Map<Node, String> allFiles(Store opened, List<Artifact> artifacts) {
        Map<Node, String> files = new LinkedHashMap<>();
        for (Artifact artifact : artifacts) {
            collect(opened, artifact.rootId(), "", files);
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

    /** The listed paths, each found in the first artifact that has it; null after reporting missing ones. */
    private Map<Node, String> listedFiles(Store opened, List<Artifact> artifacts, PrintWriter err) throws IOException {
        Map<Node, String> files = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(selection.paths)) {
            lineNumber++;
            String path = line.strip();
            if (path.isEmpty() || path.startsWith("#")) {
                continue;
            }
            Optional<Node> node = artifacts.stream().map(a -> resolve(opened, a.rootId(), path))
                    .flatMap(Optional::stream).findFirst();
            if (node.isPresent() && node.get().isFile()) {
                files.put(node.get(), path);
            } else {
                missing.add(selection.paths + ":" + lineNumber + ": " + path);
            }
        }
        if (!missing.isEmpty()) {
            err.println("thawfs: " + missing.size() + " listed paths are no file of these artifacts:");
            missing.forEach(line -> err.println("  " + line));
            return null;
        }
        return files;
    }

    private static Optional<Node> resolve(Store opened, long root, String path) {
        Optional<Node> at = opened.node(root);
        for (String part : path.replaceAll("^/+", "").split("/")) {
            if (at.isEmpty() || part.isEmpty()) {
                continue;
            }
            at = opened.child(at.get().id(), part);
        }
        return at;
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("thawfs: " + message);
        return Main.EXIT_USAGE;
    }
}
