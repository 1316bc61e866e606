package dev.thawfs.fetcher;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Entries expected soon that lie close together in an object, fetched with one request. The
 * caller says which byte ranges it will ask for ({@link #expect}); neighbouring ranges become a
 * span, fetched by the first {@link #claim} that falls in it and shared with the others, so a
 * directory of small files or a recorded trace costs a request per span, not one per file. The
 * first claim of a span also starts fetching the few expected spans after it, so a reader going
 * through the object in order (a prefetch of a whole artifact) keeps several requests in flight. A
 * span is dropped once each of its ranges was claimed, when its fetch fails, or after a minute;
 * spans held at once are bounded in bytes.
 */
final class Spans {
    /** A byte range of the object: {@code [start, end)}. */
    record Range(long start, long end) {
    }

    private static final long MAX_SPAN = 2 << 20;
    /** Bytes of unasked-for entries a span may carry between two asked-for ones. */
    private static final long MAX_GAP = 32 << 10;
    private static final long BUDGET = 64 << 20;
    private static final long MAX_AGE_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Spans fetched ahead of the one first claimed. */
    private static final int AHEAD = 4;

    private static final class Span {
        final long start;
        final long end;
        final AtomicInteger unclaimed;
        final long born = System.nanoTime();
        final AtomicBoolean claimed = new AtomicBoolean();
        final AtomicBoolean fetching = new AtomicBoolean();
        final CompletableFuture<byte[]> content = new CompletableFuture<>();

        Span(long start, long end, int ranges) {
            this.start = start;
            this.end = end;
            this.unclaimed = new AtomicInteger(ranges);
        }
    }

    private final RangeReader reader;
    private final ObjectInfo object;
    private final ConcurrentSkipListMap<Long, Span> spans = new ConcurrentSkipListMap<>();
    private final AtomicLong bytes = new AtomicLong();

    Spans(RangeReader reader, ObjectInfo object) {
        this.reader = reader;
        this.object = object;
    }

    /** Where an entry's bytes are, from its locator; null for an entry to read alone (a large one). */
    interface Locate {
        Range range(byte[] locator) throws BadArtifactException;
    }

    /** Groups the entries that lie close together into spans; entries alone, or over the budget, are left to single reads. */
    void expect(List<byte[]> locators, Locate locate) {
        List<Range> ranges = new ArrayList<>(locators.size());
        for (byte[] locator : locators) {
            try {
                Range range = locate.range(locator);
                if (range != null && !overlapsASpan(range)) {
                    ranges.add(range);
                }
            } catch (BadArtifactException notOurs) {
                // extract() says so when that entry is asked for
            }
        }
        dropStale();
        Range[] sorted = ranges.toArray(Range[]::new);
        Arrays.sort(sorted, Comparator.comparingLong(Range::start));
        for (int i = 0; i < sorted.length; ) {
            long start = sorted[i].start();
            long end = sorted[i].end();
            int j = i + 1;
            while (j < sorted.length && sorted[j].start() - end <= MAX_GAP
                    && Math.max(end, sorted[j].end()) - start <= MAX_SPAN) {
                end = Math.max(end, sorted[j].end());
                j++;
            }
            if (j - i > 1) {
                add(new Span(start, Math.min(end, object.size()), j - i));
            }
            i = j;
        }
    }

    /** Whether {@code range} overlaps a span expected before: it is read alone then, the span cannot serve it. */
    private boolean overlapsASpan(Range range) {
        Map.Entry<Long, Span> before = spans.floorEntry(range.end() - 1);
        return before != null && before.getValue().end > range.start();
    }

    /**
     * Adds a span. Spans of one {@link #expect} may overlap by a range's reach into the next
     * entry's header: a claim goes to the span with the greatest start at or before its offset,
     * which is the one its range was grouped into.
     */
    private void add(Span span) {
        if (bytes.addAndGet(span.end - span.start) > BUDGET) {
            bytes.addAndGet(span.start - span.end);
            return;
        }
        if (spans.putIfAbsent(span.start, span) != null) {
            bytes.addAndGet(span.start - span.end);
        }
    }

    /**
     * The bytes {@code [offset, offset + length)} from the span that holds them, fetching it if
     * this is its first claim; null when no span holds them (read them alone).
     */
    byte[] claim(long offset, int length) throws IOException {
        Map.Entry<Long, Span> entry = spans.floorEntry(offset);
        Span span = entry == null ? null : entry.getValue();
        if (span == null || offset + length > span.end) {
            return null;
        }
        if (span.claimed.compareAndSet(false, true)) {
            fetchAhead(span);
        }
        if (span.fetching.compareAndSet(false, true)) {
            try {
                span.content.complete(reader.read(object, span.start, (int) (span.end - span.start)));
            } catch (Throwable e) { // whatever it is, the entries waiting for this span must hear of it
                span.content.completeExceptionally(e);
            }
        }
        byte[] content;
        try {
            content = span.content.join();
        } catch (CompletionException e) {
            drop(span);
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        if (span.unclaimed.decrementAndGet() == 0) {
            drop(span);
        }
        int from = (int) (offset - span.start);
        return Arrays.copyOfRange(content, from, from + length);
    }

    /** Starts fetching, in the background, those of the next few expected spans after {@code span} not fetched yet. */
    private void fetchAhead(Span span) {
        int seen = 0;
        for (Span next : spans.tailMap(span.start, false).values()) {
            if (seen++ == AHEAD) {
                return;
            }
            if (next.fetching.compareAndSet(false, true)) {
                reader.readAhead(object, next.start, (int) (next.end - next.start)).whenComplete((content, error) -> {
                    if (error == null) {
                        next.content.complete(content);
                    } else {
                        next.content.completeExceptionally(
                                error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error);
                    }
                });
            }
        }
    }

    private void dropStale() {
        long now = System.nanoTime();
        for (Span span : spans.values()) {
            if (now - span.born > MAX_AGE_NANOS) {
                drop(span);
            }
        }
    }

    private void drop(Span span) {
        if (spans.remove(span.start, span)) {
            bytes.addAndGet(span.start - span.end);
        }
    }
}
