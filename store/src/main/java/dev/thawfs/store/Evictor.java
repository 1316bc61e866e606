package dev.thawfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * Drops the content of the least recently used unpinned blobs. The blob is marked not complete
 * before its file is truncated, under the blob's pin lock, so an open that pins it afterwards
 * finds it cold. The mark is not synced blob by blob (that capped eviction at a few hundred blobs
 * a second, far below what readers fetch under a small budget): one WAL sync ends each pass, and
 * a blob whose mark a crash lost still reads as not materialized, since its file is shorter than
 * its size. The file itself stays, empty: its inode is the one the filesystem may still reference.
 */
final class Evictor {
    private static final System.Logger LOG = System.getLogger(Evictor.class.getName());

    private final Index index;
    private final StoreLayout layout;
    private final Pins pins;
    private final MaterializedCounts counts;
    private final LongSupplier nextLruSeq;
    private final Set<Long> touched = ConcurrentHashMap.newKeySet();
    private volatile boolean stopped;

    Evictor(Index index, StoreLayout layout, Pins pins, MaterializedCounts counts, LongSupplier nextLruSeq) {
        this.index = index;
        this.layout = layout;
        this.pins = pins;
        this.counts = counts;
        this.nextLruSeq = nextLruSeq;
    }

    /** Notes a use of a blob; the eviction order learns it at the next {@link #flushTouches}. */
    void touch(long blobId) {
        touched.add(blobId);
    }

    /** Moves the blobs used since the last flush to the newest end of the eviction order, in one batch. */
    synchronized void flushTouches() {
        if (touched.isEmpty()) {
            return;
        }
        try (WriteBatch batch = new WriteBatch()) {
            for (Iterator<Long> it = touched.iterator(); it.hasNext(); ) {
                long blobId = it.next();
                it.remove();
                byte[] record = index.get(index.blobs, RecordCodec.key(blobId));
                Blob blob = record == null ? null : Blob.decode(blobId, record);
                if (blob != null && blob.complete()) {
                    long seq = nextLruSeq.getAsLong();
                    batch.delete(index.lru, RecordCodec.key(blob.lruSeq(), blobId));
                    batch.put(index.lru, RecordCodec.key(seq, blobId), new byte[0]);
                    batch.put(index.blobs, RecordCodec.key(blobId), new Blob(blobId, true, blob.size(), seq).encode());
                }
            }
            index.write(batch, false);
        } catch (RocksDBException e) {
            throw new StoreException("store index write failed: " + e.getMessage(), e);
        }
    }

    /** Makes a running {@link #evictTo} return at its next blob, and later ones at once: the store closes. */
    void stop() {
        stopped = true;
    }

    /**
     * Evicts until at most {@code targetBytes} are materialized, nothing evictable is left or the
     * evictor is stopped; returns bytes freed.
     */
    synchronized long evictTo(long targetBytes) {
        if (stopped) {
            return 0;
        }
        flushTouches();
        long freed = 0;
        try (RocksIterator lru = index.iterator(index.lru)) {
            for (lru.seekToFirst(); lru.isValid() && counts.bytes() > targetBytes && !stopped; lru.next()) {
                long blobId = RecordCodec.longAt(lru.key(), 8);
                if (!pins.claimForEviction(blobId)) {
                    continue;
                }
                try {
                    byte[] record = index.get(index.blobs, RecordCodec.key(blobId));
                    freed += drop(record == null ? null : Blob.decode(blobId, record), blobId, lru.key());
                } finally {
                    pins.evicted(blobId);
                }
            }
        }
        if (freed > 0) {
            index.syncWal();
        }
        return freed;
    }

    private long drop(Blob blob, long blobId, byte[] lruKey) {
        boolean current = blob != null && blob.complete() && java.util.Arrays.equals(lruKey, RecordCodec.key(blob.lruSeq(), blobId));
        try (WriteBatch batch = new WriteBatch()) {
            batch.delete(index.lru, lruKey);
            if (!current) {
                index.write(batch, false); // a stale place in the order, left by a later touch
                return 0;
            }
            batch.put(index.blobs, RecordCodec.key(blobId), new Blob(blobId, false, blob.size(), 0).encode());
            counts.write(batch, Map.of(counts.artifactOf(blobId), new Materialized(-1, -blob.size())), false);
        } catch (RocksDBException e) {
            throw new StoreException("store index write failed: " + e.getMessage(), e);
        }
        try (FileChannel file = FileChannel.open(layout.blobPath(blobId), StandardOpenOption.WRITE)) {
            file.truncate(0);
        } catch (NoSuchFileException gone) {
            // nothing to free
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not truncate evicted blob " + blobId + ": " + e);
        }
        return blob.size();
    }
}
