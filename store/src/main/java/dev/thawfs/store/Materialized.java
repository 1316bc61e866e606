package dev.thawfs.store;

/** How many files of an artifact are materialized in the store, and their bytes. */
public record Materialized(long files, long bytes) {
    static final Materialized NONE = new Materialized(0, 0);
    private static final int VERSION = 1;

    Materialized plus(Materialized other) {
        return new Materialized(files + other.files, bytes + other.bytes);
    }

    byte[] encode() {
        return RecordCodec.writer(VERSION).putLong(files).putLong(bytes).toBytes();
    }

    static Materialized decode(long artifactId, byte[] record) {
        RecordCodec.Reader r = new RecordCodec.Reader(record, VERSION, "materialized counts of artifact " + artifactId);
        return new Materialized(r.getLong(), r.getLong());
    }
}
