package dev.thawfs.fetcher;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Segments of a seekable tar.gz inflated once and shared while kept: the files of a directory lie
 * together in the archive, and without this each would inflate the archive again from the
 * checkpoint before it (files fetched at once would each do so at the same time).
 */
final class InflatedSegments {
    /** Inflated bytes kept, the least recently used segment evicted first. */
    private static final long BUDGET = 64 << 20;
    /** A segment inflating to more (very compressible data) is streamed through instead. */
    private static final long LARGEST = 16 << 20;

    private final SeekIndex index;
    private final SeekCodec codec;
    private final CheckpointSegments compressed;
    private final String uri;
    private final Map<Integer, CompletableFuture<byte[]>> kept = new LinkedHashMap<>(16, 0.75f, true);
    private long keptBytes;

    InflatedSegments(SeekIndex index, SeekCodec codec, CheckpointSegments compressed, String uri) {
        this.index = index;
        this.codec = codec;
        this.compressed = compressed;
        this.uri = uri;
    }

    /** Whether segment {@code segment} is inflated whole: its output's length is known (not the last) and small. */
    boolean keeps(int segment) {
        return segment + 1 < index.checkpoints.size() && outputLength(segment) <= LARGEST;
    }

    private long outputLength(int segment) {
        return index.checkpoints.get(segment + 1).out() - index.checkpoints.get(segment).out();
    }

    /** The output of segment {@code segment} (one that it {@link #keeps}), inflated now unless kept or under way. */
    byte[] inflated(int segment) throws IOException {
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> known;
        synchronized (kept) {
            known = kept.get(segment);
            if (known == null) {
                kept.put(segment, mine);
            }
        }
        if (known == null) {
            try {
                byte[] output = inflate(segment);
                mine.complete(output);
                keep(segment, mine, output.length);
            } catch (Throwable e) { // whoever waits for this segment must hear of it
                synchronized (kept) {
                    kept.remove(segment, mine);
                }
                mine.completeExceptionally(e);
            }
            known = mine;
        }
        try {
            return known.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    private byte[] inflate(int segment) throws IOException {
        SeekIndex.Checkpoint checkpoint = index.checkpoints.get(segment);
        int length = (int) outputLength(segment);
        try (DecompressedStream in = codec.resume(compressed.read(segment, segment), index, checkpoint, uri)) {
            byte[] output = in.readNBytes(length);
            if (output.length != length) {
                throw new BadArtifactException(uri, null, "inflates to " + output.length + " bytes between checkpoints "
                        + segment + " and " + (segment + 1) + " of its seek index, not " + length + " (truncated?)");
            }
            return output;
        }
    }

    /** Counts a kept segment's bytes, evicting the least recently used others while over the budget. */
    private void keep(int segment, CompletableFuture<byte[]> fetch, long bytes) {
        synchronized (kept) {
            if (kept.get(segment) != fetch) {
                return;
            }
            keptBytes += bytes;
            for (Iterator<Map.Entry<Integer, CompletableFuture<byte[]>>> eldest = kept.entrySet().iterator();
                    keptBytes > BUDGET && eldest.hasNext(); ) {
                Map.Entry<Integer, CompletableFuture<byte[]>> entry = eldest.next();
                if (entry.getKey() != segment && entry.getValue().isDone() && !entry.getValue().isCompletedExceptionally()) {
                    keptBytes -= entry.getValue().join().length;
                    eldest.remove();
                }
            }
        }
    }
}
