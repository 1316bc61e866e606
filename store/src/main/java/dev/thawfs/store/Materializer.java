package dev.thawfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Fetches entries into their blob files: in place (the file's inode is the one the filesystem
 * may already have shown), verified (size always; the source checks CRCs and digests), given the
 * entry's mode and mtime, and handed to the group committer, which makes them durable and only
 * then marks them COMPLETE. One fetch per blob at a
 * time, at most {@code concurrency} at once.
 */
final class Materializer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Materializer.class.getName());
    private static final long FULL_BELOW_BYTES = 64 << 10;

    private final StoreLayout layout;
    private final GroupCommitter committer;
    private final Pins pins;
    private final Runnable onDiskFull;
    private final ExecutorService workers;
    private final Map<Long, CompletableFuture<Node>> inFlight = new ConcurrentHashMap<>();
    private final Map<Long, FillState> fills = new ConcurrentHashMap<>();

    Materializer(StoreLayout layout, GroupCommitter committer, Pins pins, int concurrency, Runnable onDiskFull) {
        this.layout = layout;
        this.committer = committer;
        this.pins = pins;
        this.onDiskFull = onDiskFull;
        AtomicInteger counter = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(concurrency, task -> {
            Thread thread = new Thread(task, "thawfs-materialize-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The blob's materialization, joined if one is already running, nothing if {@code complete}
     * says it is done. The returned future
     * completes only after the blob has left the in-flight table, so a caller that retries after
     * a failure starts a new fetch.
     */
    CompletableFuture<Node> materialize(Artifact artifact, Node node, ContentSource source, Progress progress,
            Predicate<Node> complete) {
        long blobId = node.blobId();
        CompletableFuture<Node> result = new CompletableFuture<>();
        CompletableFuture<Node> running = inFlight.putIfAbsent(blobId, result);
        if (running != null) {
            return running;
        }
        // A fetch that finished between the caller's check and this claim must not be redone:
        // refilling truncates a file that readers and the kernel may be using.
        if (complete.test(node)) {
            inFlight.remove(blobId, result);
            result.complete(node);
            return result;
        }
        pins.pin(blobId);
        FillState fill = new FillState(node.size());
        fills.put(blobId, fill);
        CompletableFuture<Void> written;
        try {
            written = CompletableFuture.supplyAsync(() -> fill(artifact, node, source, progress, fill), workers);
        } catch (RejectedExecutionException closed) {
            written = CompletableFuture.failedFuture(new StoreException("the store is closed", closed));
        }
        written.whenComplete((ignored, error) -> fill.finish(unwrap(error))) // readers need not wait for durability
                .thenCompose(ignored -> committer.commit(node))
                .whenComplete((committed, error) -> {
                    fills.remove(blobId, fill);
                    inFlight.remove(blobId, result);
                    pins.unpin(blobId);
                    if (error != null) {
                        result.completeExceptionally(unwrap(error));
                    } else {
                        progress.fileDone(node);
                        result.complete(node);
                    }
                });
        return result;
    }

    /**
     * For a blob being materialized now: completes once its first {@code end} bytes are in the
     * blob file. Null when no materialization of it is running.
     */
    CompletableFuture<Void> whenFilled(long blobId, long end) {
        FillState fill = fills.get(blobId);
        return fill == null ? null : fill.whenFilled(end);
    }

    boolean isFetching(long blobId) {
        return inFlight.containsKey(blobId);
    }

    int fetchesRunning() {
        return inFlight.size();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** Writes the content, with the entry's mode and mtime. */
    private Void fill(Artifact artifact, Node node, ContentSource source, Progress progress, FillState fill) {
        Path file = layout.blobPath(node.blobId());
        try {
            Files.createDirectories(file.getParent());
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                channel.truncate(0);
                CountingChannel target = new CountingChannel(channel, progress, fill);
                try {
                    copy(artifact, node, source, target);
                } catch (IOException | RuntimeException e) {
                    // judged before the partial content's space is given back (the blob stays a placeholder)
                    MaterializeException storeFailed =
                            target.writeFailure() == null ? null : storeWriteFailed(artifact, node, target.writeFailure());
                    channel.truncate(0);
                    if (storeFailed != null) {
                        throw storeFailed;
                    }
                    throw e;
                }
            }
            Files.setPosixFilePermissions(file, permissions(node.mode()));
            Files.getFileAttributeView(file, BasicFileAttributeView.class)
                    .setTimes(FileTime.from(Instant.ofEpochSecond(node.mtimeSec(), node.mtimeNsec())), null, null);
            return null;
        } catch (MaterializeException e) {
            throw e;
        } catch (IOException e) {
            throw new MaterializeException(MaterializeException.Reason.SOURCE, describe(artifact, node) + ": " + e, e);
        } catch (CompletionException | StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "materializing " + describe(artifact, node) + " failed", e);
            throw new MaterializeException(MaterializeException.Reason.SOURCE, describe(artifact, node) + ": " + e, e);
        }
    }

    private static void copy(Artifact artifact, Node node, ContentSource source, CountingChannel target)
            throws IOException {
        source.copy(artifact, node, target);
        if (target.written() != node.size()) {
            throw new MaterializeException(MaterializeException.Reason.CORRUPT, describe(artifact, node)
                    + ": the source gave " + target.written() + " bytes, the index says " + node.size(), null);
        }
    }

    /**
     * A write to the blob file failed. Java gives no errno, and its message is in the user's
     * language: the disk counts as full when it has less than a block left for this user.
     */
    private MaterializeException storeWriteFailed(Artifact artifact, Node node, IOException e) {
        long usable;
        try {
            usable = Files.getFileStore(layout.root).getUsableSpace();
        } catch (IOException unknown) {
            usable = 0;
        }
        if (usable < FULL_BELOW_BYTES) {
            onDiskFull.run();
            return new MaterializeException(MaterializeException.Reason.NO_SPACE,
                    describe(artifact, node) + ": the store's disk is full (" + layout.root + ")", e);
        }
        return new MaterializeException(MaterializeException.Reason.STORE,
                describe(artifact, node) + ": writing the store's disk failed (" + layout.root + "): " + e, e);
    }

    private static String describe(Artifact artifact, Node node) {
        return "entry " + node.name() + " (node " + node.id() + ") of " + artifact.uri();
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE, high bit first
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (0400 >> i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        return permissions;
    }

    /**
     * Stops the fetches: running ones are interrupted, and every caller still waiting (also for
     * a fetch that was queued and never started) gets a failed future instead of none.
     */
    @Override
    public void close() {
        workers.shutdownNow();
        StoreException closed = new StoreException("the store was closed before this content was fetched");
        fills.values().forEach(fill -> fill.finish(closed));
        inFlight.values().forEach(result -> result.completeExceptionally(closed));
    }
}
