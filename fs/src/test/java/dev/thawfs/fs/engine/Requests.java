package dev.thawfs.fs.engine;

import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Builds requests as the kernel writes them to /dev/fuse, for tests that play the kernel. */
final class Requests {
    private long nextUnique = 100;

    long peekUnique() {
        return nextUnique;
    }

    ByteBuffer request(int opcode, long nodeid, byte[] argument) {
        ByteBuffer b = ByteBuffer.allocateDirect(Structs.InHeader.SIZE + argument.length).order(ByteOrder.nativeOrder());
        b.putInt(Structs.InHeader.LEN, b.capacity());
        b.putInt(Structs.InHeader.OPCODE, opcode);
        b.putLong(Structs.InHeader.UNIQUE, nextUnique++);
        b.putLong(Structs.InHeader.NODEID, nodeid);
        b.put(Structs.InHeader.SIZE, argument);
        return b;
    }

    static byte[] name(String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }

    /** An argument of little-endian fields: ints and longs as given. */
    static byte[] fields(Object... values) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.nativeOrder());
        for (Object value : values) {
            if (value instanceof Long l) {
                b.putLong(l);
            } else {
                b.putInt((Integer) value);
            }
        }
        return Arrays.copyOf(b.array(), Math.max(b.position(), 8));
    }
}
