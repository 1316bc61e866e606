package dev.thawfs.store;

/**
 * @param budgetBytes materialized content the store keeps before evicting (least recently used first)
 * @param minFreePercent evict also while the disk has less free space than this
 * @param concurrency materializations running at once
 * @param cacheEntries nodes, names and listings kept in memory in front of the index
 */
public record StoreOptions(long budgetBytes, int minFreePercent, int concurrency, int cacheEntries) {

    public StoreOptions {
        if (budgetBytes <= 0 || minFreePercent < 0 || minFreePercent > 99 || concurrency < 1 || cacheEntries < 1) {
            throw new IllegalArgumentException("store options out of range: budget " + budgetBytes
                    + " bytes, min-free " + minFreePercent + " %, concurrency " + concurrency + ", cache entries "
                    + cacheEntries);
        }
    }

    public static StoreOptions defaults() {
        return new StoreOptions(10L << 30, 5, 8, 200_000);
    }

    public StoreOptions withBudget(long bytes) {
        return new StoreOptions(bytes, minFreePercent, concurrency, cacheEntries);
    }

    public StoreOptions withConcurrency(int threads) {
        return new StoreOptions(budgetBytes, minFreePercent, threads, cacheEntries);
    }
}
