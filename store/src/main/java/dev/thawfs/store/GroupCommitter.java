package dev.thawfs.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Marks blobs COMPLETE durably, many at a time: one syncfs makes every queued blob's content,
 * attributes and directory entry durable, then one synced batch marks them all. Two syncs per
 * batch instead of two per file keep small files fast.
 */
final class GroupCommitter implements AutoCloseable {
    private static final int MAX_BATCH = 1024;

    private record Commit(long artifactId, long blobId, long size, CompletableFuture<Void> done) {
    }

    private final Index index;
    private final MaterializedCounts counts;
    private final FilesystemSync filesystem;
    private final AtomicLong lruSeq;
    private final BlockingQueue<Commit> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    GroupCommitter(Index index, MaterializedCounts counts, FilesystemSync filesystem) {
        this.index = index;
        this.counts = counts;
        this.filesystem = filesystem;
        this.lruSeq = new AtomicLong(index.getLong(index.meta, Index.LRU_SEQ_KEY, 0));
        this.thread = new Thread(this::run, "thawfs-store-commit");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues a written blob; the future completes once its content and its COMPLETE mark are durable. */
    CompletableFuture<Void> commit(Node file) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            done.completeExceptionally(new StoreException("the store is closed"));
        } else {
            queue.add(new Commit(file.artifactId(), file.blobId(), file.size(), done));
        }
        return done;
    }

    /** The next place in eviction order (the newest). */
    long nextLruSeq() {
        return lruSeq.incrementAndGet();
    }

    private void run() {
        List<Commit> commits = new ArrayList<>();
        while (!closed || !queue.isEmpty()) {
            try {
                Commit first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                commits.add(first);
                queue.drainTo(commits, MAX_BATCH - 1);
                write(commits);
                commits.forEach(c -> c.done().complete(null));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                StoreException failure = new StoreException("committing " + commits.size() + " blobs failed: " + e, e);
                commits.forEach(c -> c.done().completeExceptionally(failure));
            }
            commits.clear();
        }
    }

    private void write(List<Commit> commits) {
        filesystem.sync();
        Map<Long, Materialized> added = new HashMap<>();
        try (WriteBatch batch = new WriteBatch()) {
            for (Commit commit : commits) {
                if (!wasComplete(commit.blobId())) { // else its lost file was fetched again: counted already
                    added.merge(commit.artifactId(), new Materialized(1, commit.size()), Materialized::plus);
                }
                long seq = lruSeq.incrementAndGet();
                batch.put(index.blobs, RecordCodec.key(commit.blobId()),
                        new Blob(commit.blobId(), true, commit.size(), seq).encode());
                batch.put(index.lru, RecordCodec.key(seq, commit.blobId()), new byte[0]);
            }
            batch.put(index.meta, Index.LRU_SEQ_KEY, Index.longBytes(lruSeq.get()));
            counts.write(batch, added, true);
        } catch (RocksDBException e) {
            throw new StoreException("store index write failed: " + e.getMessage(), e);
        }
    }

    private boolean wasComplete(long blobId) {
        byte[] record = index.get(index.blobs, RecordCodec.key(blobId));
        return record != null && Blob.decode(blobId, record).complete();
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
