package dev.thawfs.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteBatchWithIndex;
import org.rocksdb.WriteOptions;

/**
 * The RocksDB index of a store: one column family per kind of record. Keys are big-endian so
 * bytewise order is numeric order, and children sort by name for stable directory offsets.
 */
final class Index implements AutoCloseable {
    /**
     * The layout of keys and column families; a store written with a higher one is not opened.
     * 2: per-artifact materialized counts ({@link MaterializedCounts}).
     */
    static final int SCHEMA = 2;
    private static final byte[] SCHEMA_KEY = "schema".getBytes(StandardCharsets.US_ASCII);
    static final byte[] NEXT_ID_KEY = "next-id".getBytes(StandardCharsets.US_ASCII);
    static final byte[] BYTES_KEY = "materialized-bytes".getBytes(StandardCharsets.US_ASCII);
    static final byte[] LRU_SEQ_KEY = "lru-seq".getBytes(StandardCharsets.US_ASCII);

    private final Path directory;
    private final RocksDB db;
    private final DBOptions dbOptions;
    private final ColumnFamilyOptions cfOptions;
    private final List<ColumnFamilyHandle> handles;
    final ColumnFamilyHandle artifacts;
    final ColumnFamilyHandle nodes;
    final ColumnFamilyHandle children;
    final ColumnFamilyHandle blobs;
    final ColumnFamilyHandle lru;
    final ColumnFamilyHandle meta;
    private final WriteOptions synced = new WriteOptions().setSync(true);
    private final WriteOptions unsynced = new WriteOptions();
    private final ReadOptions readOptions = new ReadOptions();
    private long openedSchema;

    private Index(Path directory, RocksDB db, DBOptions dbOptions, ColumnFamilyOptions cfOptions,
            List<ColumnFamilyHandle> handles) {
        this.directory = directory;
        this.db = db;
        this.dbOptions = dbOptions;
        this.cfOptions = cfOptions;
        this.handles = handles;
        this.artifacts = handles.get(1);
        this.nodes = handles.get(2);
        this.children = handles.get(3);
        this.blobs = handles.get(4);
        this.lru = handles.get(5);
        this.meta = handles.get(6);
    }

    static Index open(Path directory) {
        DBOptions dbOptions = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true)
                .setKeepLogFileNum(2);
        ColumnFamilyOptions cfOptions = new ColumnFamilyOptions().setCompressionType(CompressionType.LZ4_COMPRESSION);
        List<ColumnFamilyDescriptor> families = new ArrayList<>();
        for (String name : new String[] {"default", "artifacts", "nodes", "children", "blobs", "lru", "meta"}) {
            families.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.US_ASCII), cfOptions));
        }
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        RocksDB db;
        try {
            db = RocksDB.open(dbOptions, directory.toString(), families, handles);
        } catch (RocksDBException e) {
            dbOptions.close();
            cfOptions.close();
            throw new StoreException("cannot open the store index " + directory + ": " + e.getMessage()
                    + ". If it is corrupt, move the store directory away: its content is fetched again", e);
        }
        Index index = new Index(directory, db, dbOptions, cfOptions, handles);
        try {
            index.checkSchema();
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
        return index;
    }

    private void checkSchema() {
        openedSchema = getLong(meta, SCHEMA_KEY, 0);
        if (openedSchema > SCHEMA) {
            throw new StoreException("the store index " + directory + " has schema " + openedSchema
                    + ", newer than this thawfs reads (" + SCHEMA + "): upgrade thawfs or use another store");
        }
    }

    /**
     * The schema the index had when opened: 0 for a new one; below {@link #SCHEMA} until what
     * the newer layout adds is written, with {@link #recordSchema} in the same batch.
     */
    long openedSchema() {
        return openedSchema;
    }

    void recordSchema(WriteBatch batch) throws RocksDBException {
        batch.put(meta, SCHEMA_KEY, longBytes(SCHEMA));
    }

    byte[] get(ColumnFamilyHandle family, byte[] key) {
        try {
            return db.get(family, key);
        } catch (RocksDBException e) {
            throw failure("read", e);
        }
    }

    /** A value as it will be once {@code batch} is written. */
    byte[] get(WriteBatchWithIndex batch, ColumnFamilyHandle family, byte[] key) {
        try {
            return batch.getFromBatchAndDB(db, family, readOptions, key);
        } catch (RocksDBException e) {
            throw failure("read", e);
        }
    }

    long getLong(ColumnFamilyHandle family, byte[] key, long missing) {
        byte[] value = get(family, key);
        if (value != null && value.length != Long.BYTES) {
            throw new StoreException("the store index " + directory + " has a malformed '"
                    + new String(key, StandardCharsets.US_ASCII) + "' record (" + value.length
                    + " bytes, not 8): move the store directory away; its content is fetched again");
        }
        return value == null ? missing : ByteBuffer.wrap(value).getLong();
    }

    void put(ColumnFamilyHandle family, byte[] key, byte[] value, boolean sync) {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(family, key, value);
            write(batch, sync);
        } catch (RocksDBException e) {
            throw failure("write", e);
        }
    }

    /** Writes a batch atomically; synced batches are durable when this returns. */
    void write(WriteBatch batch, boolean sync) {
        try {
            db.write(sync ? synced : unsynced, batch);
        } catch (RocksDBException e) {
            throw failure("write", e);
        }
    }

    void write(WriteBatchWithIndex batch, boolean sync) {
        try {
            db.write(sync ? synced : unsynced, batch);
        } catch (RocksDBException e) {
            throw failure("write", e);
        }
    }

    /** Makes every unsynced write so far durable. */
    void syncWal() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            throw failure("sync", e);
        }
    }

    RocksIterator iterator(ColumnFamilyHandle family) {
        return db.newIterator(family);
    }

    static byte[] longBytes(long value) {
        return ByteBuffer.allocate(8).putLong(value).array();
    }

    static byte[] childKey(long parentId, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(8 + utf8.length).putLong(parentId).put(utf8).array();
    }

    private static StoreException failure(String what, RocksDBException e) {
        return new StoreException("store index " + what + " failed: " + e.getMessage(), e);
    }

    @Override
    public void close() {
        handles.forEach(ColumnFamilyHandle::close);
        db.close();
        synced.close();
        unsynced.close();
        readOptions.close();
        dbOptions.close();
        cfOptions.close();
    }
}
