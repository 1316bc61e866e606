package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class LatencyHistogramTest {
    @Test
    void aDurationCountsInTheFirstBucketWhoseBoundItDoesNotExceed() {
        LatencyHistogram histogram = new LatencyHistogram();
        histogram.record(0);
        histogram.record(10_000); // on the first bound: still the first bucket
        histogram.record(10_001);
        histogram.record(3_000_000); // 3 ms: the 5 ms bucket
        histogram.record(60_000_000_000L); // above the last bound
        assertEquals(2, histogram.count(0));
        assertEquals(1, histogram.count(1));
        assertEquals(5_000_000, LatencyHistogram.boundNanos(8));
        assertEquals(1, histogram.count(8));
        assertEquals(1, histogram.count(LatencyHistogram.bounds()));
        assertEquals(5, histogram.count());
        assertEquals(60_003_020_001L, histogram.sumNanos());
    }
}
