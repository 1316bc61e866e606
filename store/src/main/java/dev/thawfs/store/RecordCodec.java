package dev.thawfs.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Big-endian record encoding for RocksDB values and keys: fixed-width numbers, strings and byte
 * arrays with a length prefix. Every record starts with its format version, so a newer layout is
 * recognised instead of misread.
 */
final class RecordCodec {
    private ByteBuffer buffer;

    private RecordCodec(int capacity) {
        buffer = ByteBuffer.allocate(capacity);
    }

    static RecordCodec writer(int version) {
        RecordCodec codec = new RecordCodec(64);
        codec.putByte(version);
        return codec;
    }

    private void ensure(int bytes) {
        if (buffer.remaining() < bytes) {
            buffer = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes))
                    .put(buffer.flip());
        }
    }

    RecordCodec putByte(int value) {
        ensure(1);
        buffer.put((byte) value);
        return this;
    }

    RecordCodec putInt(int value) {
        ensure(4);
        buffer.putInt(value);
        return this;
    }

    RecordCodec putLong(long value) {
        ensure(8);
        buffer.putLong(value);
        return this;
    }

    RecordCodec putBytes(byte[] value) {
        ensure(4 + value.length);
        buffer.putInt(value.length).put(value);
        return this;
    }

    RecordCodec putString(String value) {
        return putBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toBytes() {
        return Arrays.copyOf(buffer.array(), buffer.position());
    }

    /** Reads a record written by {@link #writer}; {@code what} names it in errors. */
    static final class Reader {
        private final ByteBuffer buffer;
        private final String what;

        Reader(byte[] record, int newestVersion, String what) {
            this.buffer = ByteBuffer.wrap(record);
            this.what = what;
            int version = Byte.toUnsignedInt(buffer.get());
            if (version > newestVersion) {
                throw new StoreException(what + " was written by a newer thawfs (record format " + version
                        + ", this one reads up to " + newestVersion + "): upgrade thawfs or use another store");
            }
        }

        int getByte() {
            return Byte.toUnsignedInt(buffer.get());
        }

        int getInt() {
            return buffer.getInt();
        }

        long getLong() {
            return buffer.getLong();
        }

        byte[] getBytes() {
            int length = buffer.getInt();
            if (length < 0 || length > buffer.remaining()) {
                throw new StoreException(what + " is corrupt: a field of " + length + " bytes in a record of "
                        + buffer.capacity());
            }
            byte[] value = new byte[length];
            buffer.get(value);
            return value;
        }

        String getString() {
            return new String(getBytes(), StandardCharsets.UTF_8);
        }
    }

    /** A key of big-endian longs, so RocksDB's bytewise order is numeric order. */
    static byte[] key(long... parts) {
        ByteBuffer key = ByteBuffer.allocate(8 * parts.length);
        for (long part : parts) {
            key.putLong(part);
        }
        return key.array();
    }

    static long longAt(byte[] key, int offset) {
        return ByteBuffer.wrap(key, offset, 8).getLong();
    }
}
