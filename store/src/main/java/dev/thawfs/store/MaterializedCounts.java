package dev.thawfs.store;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * What the store holds materialized: bytes in all, and files and bytes per artifact. Kept in the
 * index and in memory, and changed in the same batch as the blob records of a commit or an
 * eviction, so neither opening a store nor answering its status walks a tree. A store whose
 * schema predates the per-artifact counts (below {@link Index#SCHEMA}) is counted once from its
 * blob records when opened; the counts and the new schema mark are written in one batch.
 * Writers take turns (a batch may be synced); readers never wait for them.
 */
final class MaterializedCounts {
    private final Index index;
    private final Map<Long, Materialized> byArtifact = new ConcurrentHashMap<>();
    private volatile long bytes;

    MaterializedCounts(Index index) {
        this.index = index;
        if (index.openedSchema() < Index.SCHEMA) {
            recount();
        } else {
            load();
        }
    }

    long bytes() {
        return bytes;
    }

    Materialized of(long artifactId) {
        return byArtifact.getOrDefault(artifactId, Materialized.NONE);
    }

    /** The artifact a blob's content belongs to: a blob's id is its file node's (0 for an orphan). */
    long artifactOf(long blobId) {
        byte[] node = index.get(index.nodes, RecordCodec.key(blobId));
        return node == null ? 0 : Node.decode(blobId, node).artifactId();
    }

    /**
     * Writes {@code batch} with the counts moved by {@code changes} (by artifact id); durable when
     * this returns if {@code sync}.
     */
    synchronized void write(WriteBatch batch, Map<Long, Materialized> changes, boolean sync) {
        Map<Long, Materialized> updated = new HashMap<>();
        long delta = 0;
        try {
            for (Map.Entry<Long, Materialized> change : changes.entrySet()) {
                Materialized now = of(change.getKey()).plus(change.getValue());
                batch.put(index.artifacts, ArtifactKeys.materialized(change.getKey()), now.encode());
                updated.put(change.getKey(), now);
                delta += change.getValue().bytes();
            }
            batch.put(index.meta, Index.BYTES_KEY, Index.longBytes(bytes + delta));
        } catch (RocksDBException e) {
            throw new StoreException("store index write failed: " + e.getMessage(), e);
        }
        index.write(batch, sync);
        byArtifact.putAll(updated);
        bytes += delta;
    }

    private void load() {
        bytes = index.getLong(index.meta, Index.BYTES_KEY, 0);
        try (RocksIterator it = index.iterator(index.artifacts)) {
            for (it.seek(ArtifactKeys.MATERIALIZED_PREFIX); it.isValid() && ArtifactKeys.isMaterialized(it.key()); it.next()) {
                long artifactId = RecordCodec.longAt(it.key(), 1);
                byArtifact.put(artifactId, Materialized.decode(artifactId, it.value()));
            }
        }
    }

    private void recount() {
        Map<Long, Materialized> counted = new HashMap<>();
        try (RocksIterator it = index.iterator(index.blobs)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                long blobId = RecordCodec.longAt(it.key(), 0);
                Blob blob = Blob.decode(blobId, it.value());
                if (blob.complete()) {
                    counted.merge(artifactOf(blobId), new Materialized(1, blob.size()), Materialized::plus);
                }
            }
        }
        try (WriteBatch batch = new WriteBatch()) {
            index.recordSchema(batch);
            write(batch, counted, true);
        } catch (RocksDBException e) {
            throw new StoreException("store index write failed: " + e.getMessage(), e);
        }
    }
}
