package dev.thawfs.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs that must not be evicted: open, attached as a backing file, or being materialized.
 * Eviction claims an unpinned blob under the same per-blob lock that pinning takes, then drops it
 * outside any lock (an index write and a truncate); a pin of that one blob waits until the drop is
 * done, so whoever pins it finds it either whole or evicted, never half-way.
 */
final class Pins {
    /** The count of a blob claimed for eviction. */
    private static final int EVICTING = -1;

    private final Map<Long, Integer> counts = new ConcurrentHashMap<>();

    void pin(long blobId) {
        while (counts.merge(blobId, 1, (count, one) -> count == EVICTING ? EVICTING : count + one) == EVICTING) {
            awaitEviction(blobId);
        }
    }

    private synchronized void awaitEviction(long blobId) {
        boolean interrupted = false;
        while (Integer.valueOf(EVICTING).equals(counts.get(blobId))) {
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true; // a drop takes milliseconds: finish pinning, keep the interrupt
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    void unpin(long blobId) {
        counts.computeIfPresent(blobId, (id, count) -> count == 1 ? null : count - 1);
    }

    /** Claims the blob for eviction unless it is pinned; a claim must be ended by {@link #evicted}. */
    boolean claimForEviction(long blobId) {
        return counts.putIfAbsent(blobId, EVICTING) == null;
    }

    /** The claimed blob is dropped (or kept): pins of it go ahead. */
    void evicted(long blobId) {
        counts.remove(blobId, EVICTING);
        synchronized (this) {
            notifyAll();
        }
    }
}
