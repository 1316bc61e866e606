package dev.thawfs.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Durations counted in fixed buckets, from 10 µs to 10 s, with their count and sum: recording one
 * is a few comparisons and two atomic adds, with nothing allocated, so it can sit on the request
 * path.
 */
public final class LatencyHistogram {
    /** The buckets' upper bounds in nanoseconds; one more bucket holds what is above the last. */
    private static final long[] BOUNDS_NANOS = {10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000,
        2_500_000, 5_000_000, 10_000_000, 25_000_000, 50_000_000, 100_000_000, 250_000_000, 500_000_000,
        1_000_000_000, 2_500_000_000L, 5_000_000_000L, 10_000_000_000L};

    private final AtomicLongArray counts = new AtomicLongArray(BOUNDS_NANOS.length + 1);
    private final AtomicLong sumNanos = new AtomicLong();

    public void record(long nanos) {
        int bucket = 0;
        while (bucket < BOUNDS_NANOS.length && nanos > BOUNDS_NANOS[bucket]) {
            bucket++;
        }
        counts.incrementAndGet(bucket);
        sumNanos.addAndGet(nanos);
    }

    /** Buckets with an upper bound; {@link #count(int)} of this index is the rest. */
    public static int bounds() {
        return BOUNDS_NANOS.length;
    }

    /** The upper bound of bucket {@code bucket} (below {@link #bounds()}), in nanoseconds. */
    public static long boundNanos(int bucket) {
        return BOUNDS_NANOS[bucket];
    }

    /** Durations in bucket {@code bucket} alone (not cumulative). */
    public long count(int bucket) {
        return counts.get(bucket);
    }

    public long count() {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        return total;
    }

    public long sumNanos() {
        return sumNanos.get();
    }
}
