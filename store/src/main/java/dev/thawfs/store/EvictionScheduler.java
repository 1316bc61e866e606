package dev.thawfs.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * When the {@link Evictor} runs: evictions and the eviction order's batched updates go to one
 * background thread, off the request path; a pass starts when the store is over its budget or
 * its disk is short of free space.
 */
final class EvictionScheduler {
    private static final System.Logger LOG = System.getLogger(EvictionScheduler.class.getName());
    private static final Duration TOUCH_FLUSH_DELAY = Duration.ofSeconds(1);

    private final Evictor evictor;
    private final MaterializedCounts counts;
    private final StoreOptions options;
    private final Path root;
    private final ScheduledThreadPoolExecutor background;
    private final AtomicBoolean evictionQueued = new AtomicBoolean();
    private final AtomicBoolean touchFlushScheduled = new AtomicBoolean();

    EvictionScheduler(Evictor evictor, MaterializedCounts counts, StoreOptions options, Path root) {
        this.evictor = evictor;
        this.counts = counts;
        this.options = options;
        this.root = root;
        this.background = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "thawfs-store-lru");
            thread.setDaemon(true);
            return thread;
        });
        background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() flushes touches itself
    }

    void touch(long blobId) {
        evictor.touch(blobId);
        if (touchFlushScheduled.compareAndSet(false, true)) {
            background.schedule(() -> {
                touchFlushScheduled.set(false);
                evictor.flushTouches();
            }, TOUCH_FLUSH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    long evictTo(long bytes) {
        return evictor.evictTo(bytes);
    }

    void evictIfOverBudget() {
        if (counts.bytes() > options.budgetBytes() || freePercent() < options.minFreePercent()) {
            evictInBackground();
        }
    }

    void evictInBackground() {
        if (!evictionQueued.compareAndSet(false, true)) {
            return; // the queued pass evicts for this one too
        }
        background.execute(() -> {
            evictionQueued.set(false);
            long target = options.budgetBytes() * 9 / 10;
            if (freePercent() < options.minFreePercent()) {
                target = Math.min(target, counts.bytes() / 2);
            }
            long freed = evictor.evictTo(target);
            LOG.log(System.Logger.Level.DEBUG, "evicted " + freed + " bytes from " + root);
        });
    }

    private int freePercent() {
        try {
            var fileStore = Files.getFileStore(root);
            return (int) (100 * fileStore.getUsableSpace() / Math.max(1, fileStore.getTotalSpace()));
        } catch (IOException e) {
            return 100;
        }
    }

    /**
     * Stops evicting and writes the pending touches; false when the background work did not end
     * within a minute (or the wait was interrupted): then it may still use the index.
     */
    boolean close() {
        evictor.stop();
        background.shutdown();
        try {
            if (!background.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.log(System.Logger.Level.WARNING, "the store's background work did not end in a minute;"
                        + " leaving its index open (the process is ending)");
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        evictor.flushTouches();
        return true;
    }
}
