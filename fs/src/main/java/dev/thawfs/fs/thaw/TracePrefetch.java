package dev.thawfs.fs.thaw;

import dev.thawfs.store.Node;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Fetches a list of files in its order with at most {@code window} fetches in flight. The window
 * keeps the store's queue short, so a file the job opens meanwhile waits behind a few prefetches,
 * not behind the whole list. The files are announced ({@code expect}) a batch ahead, so that
 * neighbours in an archive can be fetched with one request.
 */
public final class TracePrefetch {
    /** What a prefetch did: files fetched, paths that name no file, and failures ("path: reason"). */
    public record Result(int fetched, List<String> missing, List<String> failed) {
    }

    /** How many listed files are resolved and announced at a time. */
    private static final int BATCH = 256;

    private record Listed(String path, Node node) {
    }

    private final Iterator<String> paths;
    private final LayerTree tree;
    private final Consumer<List<Node>> expect;
    private final Function<Node, CompletableFuture<Node>> fetch;
    private final Deque<Listed> ahead = new ArrayDeque<>();
    private final CompletableFuture<Result> done = new CompletableFuture<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> failed = new ArrayList<>();
    private int fetched;
    private int inFlight;

    private TracePrefetch(List<String> paths, LayerTree tree, Consumer<List<Node>> expect,
            Function<Node, CompletableFuture<Node>> fetch) {
        this.paths = paths.iterator();
        this.tree = tree;
        this.expect = expect;
        this.fetch = fetch;
    }

    /**
     * @param expect told of the next files before they are fetched, a batch at a time
     * @param fetch starts a file's fetch; completes once its content is usable
     */
    static CompletableFuture<Result> run(List<String> paths, LayerTree tree, Consumer<List<Node>> expect,
            Function<Node, CompletableFuture<Node>> fetch, int window) {
        TracePrefetch prefetch = new TracePrefetch(paths, tree, expect, fetch);
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
        for (Listed next = nextListed(); next != null; next = nextListed()) {
            String path = next.path();
            CompletableFuture<Node> fetching = fetch.apply(next.node());
            if (fetching.isDone()) { // already local: no need to wait, nor to recurse through a callback
                count(path, fetching.handle((result, error) -> error).join());
                continue;
            }
            inFlight++;
            fetching.whenComplete((result, error) -> finished(path, error));
            return;
        }
    }

    /** The next listed file that exists, resolving and announcing the next batch when needed; null at the end. */
    private Listed nextListed() {
        if (ahead.isEmpty()) {
            List<Node> batch = new ArrayList<>();
            while (batch.size() < BATCH && paths.hasNext()) {
                String path = paths.next();
                Optional<Node> node = tree.file(path);
                if (node.isEmpty()) {
                    missing.add(path);
                } else {
                    batch.add(node.get());
                    ahead.add(new Listed(path, node.get()));
                }
            }
            if (!batch.isEmpty()) {
                expect.accept(batch);
            }
        }
        return ahead.poll();
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
        if (inFlight == 0 && ahead.isEmpty() && !paths.hasNext()) {
            done.complete(new Result(fetched, List.copyOf(missing), List.copyOf(failed)));
        }
    }
}
