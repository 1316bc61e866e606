package dev.thawfs.store;

import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The store's materialized byte count, kept in the index so opening a store never scans it.
 * Commits and evictions change it together with the blob records, in one batch each.
 */
final class ByteAccounting {
    private final Index index;
    private long bytes;

    ByteAccounting(Index index) {
        this.index = index;
        this.bytes = index.getLong(index.meta, Index.BYTES_KEY, 0);
    }

    synchronized long bytes() {
        return bytes;
    }

    /** Writes {@code batch} synced, with the count moved by {@code delta}. */
    void write(WriteBatch batch, long delta) {
        write(batch, delta, true);
    }

    /** Writes {@code batch}, with the count moved by {@code delta}; durable when this returns if {@code sync}. */
    synchronized void write(WriteBatch batch, long delta, boolean sync) {
        try {
            batch.put(index.meta, Index.BYTES_KEY, Index.longBytes(bytes + delta));
        } catch (RocksDBException e) {
            throw new StoreException("store index write failed: " + e.getMessage(), e);
        }
        index.write(batch, sync);
        bytes += delta;
    }
}
