package dev.thawfs.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keys of the artifacts column family: 'I' + id for records, 'K' + uri NUL identity for the id,
 * 'M' + id for its {@link Materialized} counts.
 */
final class ArtifactKeys {
    private ArtifactKeys() {
    }

    static byte[] byId(long id) {
        return ByteBuffer.allocate(9).put((byte) 'I').putLong(id).array();
    }

    static byte[] byIdentity(String uri, String identity) {
        byte[] text = (uri + '\0' + identity).getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + text.length).put((byte) 'K').put(text).array();
    }

    static final byte[] MATERIALIZED_PREFIX = {'M'};

    static byte[] materialized(long id) {
        return ByteBuffer.allocate(9).put((byte) 'M').putLong(id).array();
    }

    static boolean isRecord(byte[] key) {
        return key.length == 9 && key[0] == 'I';
    }

    static boolean isMaterialized(byte[] key) {
        return key.length == 9 && key[0] == 'M';
    }
}
