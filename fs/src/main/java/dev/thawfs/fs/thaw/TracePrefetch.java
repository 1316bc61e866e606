package dev.thawfs.fs.thaw;

import dev.thawfs.store.Node;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * Fetches a list of files in its order with at most {@code window} fetches in flight. The window
 * keeps the store's queue short, so a file the job opens meanwhile waits behind a few prefetches,
 * not behind the whole list.
 */
public final class TracePrefetch {
    /** What a prefetch did: files fetched, paths that name no file, and failures ("path: reason"). */
    public record Result(int fetched, List<String> missing, List<String> failed) {
    }

    private final Iterator<String> paths;
    private final LayerTree tree;
    private final Function<Node, CompletableFuture<Node>> fetch;
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private int fetched;
    private int inFlight;

    private TracePrefetch(List<String> paths, LayerTree tree, Function<Node, CompletableFuture<Node>> fetch) {
        this.paths = paths.iterator();
        this.tree = tree;
        this.fetch = fetch;
    }

    static CompletableFuture<Result> run(List<String> paths, LayerTree tree, Function<Node, CompletableFuture<Node>> fetch,
            int window) {
        TracePrefetch prefetch = new TracePrefetch(paths, tree, fetch);
        synchronized (prefetch) {
            for (int i = 0; i < window; i++) {
                prefetch.startNext();
            }
            prefetch.finishIfDone();
        }
        return prefetch.done;
    }

    /** Starts the next listed file that exists; called holding this object's lock. */
    private void startNext() {
        while (paths.hasNext()) {
            String path = paths.next();
            Optional<Node> node = tree.file(path);
            if (node.isEmpty()) {
                missing.add(path);
                continue;
            }
            CompletableFuture<Node> fetching = fetch.apply(node.get());
            if (fetching.isDone()) { // already local: no need to wait, nor to recurse through a callback
                count(path, fetching.handle((result, error) -> error).join());
                continue;
            }
            inFlight++;
            fetching.whenComplete((result, error) -> finished(path, error));
            return;
        }
    }

    private synchronized void finished(String path, Throwable error) {
        inFlight--;
        count(path, error);
        startNext();
        finishIfDone();
    }

    private void count(String path, Throwable error) {
        if (error == null) {
            fetched++;
        } else {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            failed.add(path + ": " + cause.getMessage());
        }
    }

    private void finishIfDone() {
        if (inFlight == 0 && !paths.hasNext()) {
            done.complete(new Result(fetched, List.copyOf(missing), List.copyOf(failed)));
        }
    }
}
