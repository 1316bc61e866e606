package dev.thawfs.store;

/**
 * The state of one content file. A blob without a record, or not {@link #complete}, is never
 * served: its file is at most a placeholder whose inode the filesystem may already have shown.
 *
 * @param lruSeq the blob's place in eviction order (older first)
 */
record Blob(long id, boolean complete, long size, long lruSeq) {
    static final int VERSION = 1;

    byte[] encode() {
        return RecordCodec.writer(VERSION).putByte(complete ? 1 : 0).putLong(size).putLong(lruSeq).toBytes();
    }

    static Blob decode(long id, byte[] record) {
        RecordCodec.Reader r = new RecordCodec.Reader(record, VERSION, "blob " + id);
        return new Blob(id, r.getByte() == 1, r.getLong(), r.getLong());
    }
}
