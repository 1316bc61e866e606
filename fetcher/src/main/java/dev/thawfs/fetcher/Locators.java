package dev.thawfs.fetcher;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** Locator encodings: a kind byte, then fixed fields; read back with a check of the kind. */
final class Locators {
    static final byte ZIP = 1;
    static final byte TAR = 2;
    static final byte STREAMED_TAR = 3;
    static final byte OBJECT = 4;
    /** A sparse entry of an uncompressed tar: where its first header is, where its data ends. */
    static final byte SPARSE_TAR = 5;
    /** A file of a tar.gz with a seek index: its data's offset in the decompressed stream, its size and CRC-32. */
    static final byte SEEKABLE_TAR = 6;

    private Locators() {
    }

    static ByteBuffer allocate(byte kind, int fieldBytes) {
        return ByteBuffer.allocate(1 + fieldBytes).put(kind);
    }

    static ByteBuffer read(byte[] locator, byte kind, String artifact) throws BadArtifactException {
        if (locator == null || locator.length == 0 || locator[0] != kind) {
            throw new BadArtifactException(artifact, null, "an entry locator of another format: re-import the artifact");
        }
        return ByteBuffer.wrap(locator, 1, locator.length - 1);
    }

    static byte[] object(String key, String identity) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] id = identity.getBytes(StandardCharsets.UTF_8);
        return allocate(OBJECT, 8 + k.length + id.length).putInt(k.length).put(k).putInt(id.length).put(id).array();
    }

    static String[] object(byte[] locator, String artifact) throws BadArtifactException {
        ByteBuffer b = read(locator, OBJECT, artifact);
        byte[] k = new byte[b.getInt()];
        b.get(k);
        byte[] id = new byte[b.getInt()];
        b.get(id);
        return new String[] {new String(k, StandardCharsets.UTF_8), new String(id, StandardCharsets.UTF_8)};
    }
}
