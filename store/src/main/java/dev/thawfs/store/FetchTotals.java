package dev.thawfs.store;

import dev.thawfs.fetcher.FetchCounters;

/** What the object stores were asked and gave, summed over a session's artifacts: a snapshot. */
public record FetchTotals(long requests, long bytes, long retries, long failures) {
    static final FetchTotals NONE = new FetchTotals(0, 0, 0, 0);

    FetchTotals plus(FetchCounters counters) {
        return new FetchTotals(requests + counters.requests(), bytes + counters.bytes(),
                retries + counters.retries(), failures + counters.failures());
    }
}
