package dev.thawfs.fetcher;

import java.util.concurrent.atomic.LongAdder;

/** What the object store was asked and gave: for status output and benchmarks. */
public final class FetchCounters {
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final LongAdder failures = new LongAdder();

    void request() {
        requests.increment();
    }

    void bytes(long count) {
        bytes.add(count);
    }

    void retry() {
        retries.increment();
    }

    void failure() {
        failures.increment();
    }

    public long requests() {
        return requests.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long retries() {
        return retries.sum();
    }

    public long failures() {
        return failures.sum();
    }

    @Override
    public String toString() {
        return "requests=" + requests() + " bytes=" + bytes() + " retries=" + retries() + " failures=" + failures();
    }
}
