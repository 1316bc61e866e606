package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A seekable tar.gz's compressed bytes, a segment (checkpoint to checkpoint) per request: files
 * that lie in the same segment share its request, the last few segments used being kept, and a
 * file spanning several has the next segment fetched while the one before is inflated.
 */
final class CheckpointSegments {
    /** Segments kept for the files next to the last ones read: at the default spacing, about 16 MiB. */
    private static final int KEPT = 4;
    /** A longer segment (a spacing of hundreds of MiB) is streamed, neither kept nor read whole. */
    private static final long LONGEST = 64 << 20;

    private final RangeReader reader;
    private final ObjectInfo object;
    private final SeekIndex index;
    /** Segments fetched or being fetched, the least recently used first. */
    private final Map<Integer, CompletableFuture<byte[]>> kept = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, CompletableFuture<byte[]>> eldest) {
            return size() > KEPT;
        }
    };

    CheckpointSegments(RangeReader reader, ObjectInfo object, SeekIndex index) {
        this.reader = reader;
        this.object = object;
        this.index = index;
    }

    /** The compressed bytes from checkpoint {@code first}'s first byte to the end of segment {@code last}. */
    InputStream read(int first, int last) {
        for (int i = first; i <= last; i++) {
            if (index.segmentEnd(i) - start(i) > LONGEST) {
                return SequentialStream.inParts(reader, object, start(first), index.segmentEnd(last));
            }
        }
        return new BlockInputStream() {
            private int segment = first - 1;
            private byte[] bytes = new byte[0];
            private int at;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                while (at == bytes.length) {
                    if (segment == last) {
                        return -1;
                    }
                    segment++;
                    CompletableFuture<byte[]> current = segment(segment, false);
                    if (segment < last) {
                        segment(segment + 1, true);
                    }
                    bytes = join(current);
                    // a segment starts with the byte its checkpoint's first bits are in: the one before ends with it too
                    at = segment == first ? 0 : (int) (index.checkpoints.get(segment).in() - start(segment));
                }
                int n = Math.min(length, bytes.length - at);
                System.arraycopy(bytes, at, buffer, offset, n);
                at += n;
                return n;
            }
        };
    }

    private long start(int segment) {
        return index.checkpoints.get(segment).fetchFrom();
    }

    private int length(int segment) {
        return (int) (index.segmentEnd(segment) - start(segment));
    }

    /** The segment's bytes, fetched now or (ahead) on one of the reader's threads unless kept or under way. */
    private CompletableFuture<byte[]> segment(int segment, boolean ahead) {
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        synchronized (kept) {
            CompletableFuture<byte[]> known = kept.get(segment);
            if (known != null) {
                return known;
            }
            kept.put(segment, mine);
        }
        if (ahead) {
            reader.readAhead(object, start(segment), length(segment)).whenComplete((bytes, error) -> {
                if (error == null) {
                    mine.complete(bytes);
                } else {
                    failed(segment, mine, error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error);
                }
            });
        } else {
            try {
                mine.complete(reader.read(object, start(segment), length(segment)));
            } catch (Throwable e) { // whoever waits for this segment must hear of it
                failed(segment, mine, e);
            }
        }
        return mine;
    }

    /** A failed fetch is not kept: the next file that needs the segment tries again. */
    private void failed(int segment, CompletableFuture<byte[]> fetch, Throwable error) {
        synchronized (kept) {
            kept.remove(segment, fetch);
        }
        fetch.completeExceptionally(error);
    }

    private static byte[] join(CompletableFuture<byte[]> fetch) throws IOException {
        try {
            return fetch.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }
}
