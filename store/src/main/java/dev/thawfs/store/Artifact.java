package dev.thawfs.store;

/**
 * An imported artifact: a source URI at one identity (ETag/version, or size+mtime for files). A
 * changed identity is a different artifact, so content of the old one is never served for it.
 *
 * @param complete whether the whole index was imported (an interrupted import is redone)
 */
public record Artifact(long id, String uri, String identity, long rootId, long entries, long bytes,
        boolean complete) {

    static final int VERSION = 1;

    byte[] encode() {
        return RecordCodec.writer(VERSION).putString(uri).putString(identity).putLong(rootId).putLong(entries)
                .putLong(bytes).putByte(complete ? 1 : 0).toBytes();
    }

    static Artifact decode(long id, byte[] record) {
        RecordCodec.Reader r = new RecordCodec.Reader(record, VERSION, "artifact " + id);
        return new Artifact(id, r.getString(), r.getString(), r.getLong(), r.getLong(), r.getLong(), r.getByte() == 1);
    }

    Artifact completed(long entryCount, long byteCount) {
        return new Artifact(id, uri, identity, rootId, entryCount, byteCount, true);
    }
}
