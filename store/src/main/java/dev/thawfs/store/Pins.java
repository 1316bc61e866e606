package dev.thawfs.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Blobs that must not be evicted: open, attached as a backing file, or being materialized.
 * Eviction decides under the same per-blob lock that pinning takes, so a blob is never evicted
 * between "is it pinned?" and "drop it".
 */
final class Pins {
    private final Map<Long, Integer> counts = new ConcurrentHashMap<>();

    void pin(long blobId) {
        counts.merge(blobId, 1, Integer::sum);
    }

    void unpin(long blobId) {
        counts.computeIfPresent(blobId, (id, count) -> count == 1 ? null : count - 1);
    }

    /** Runs {@code eviction} unless the blob is pinned; true if it ran. */
    boolean evictUnlessPinned(long blobId, Runnable eviction) {
        boolean[] ran = {false};
        counts.compute(blobId, (id, count) -> {
            if (count == null) {
                eviction.run();
                ran[0] = true;
            }
            return count;
        });
        return ran[0];
    }
}
