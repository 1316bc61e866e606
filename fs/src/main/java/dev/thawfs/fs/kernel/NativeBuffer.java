package dev.thawfs.fs.kernel;

import com.kenai.jffi.MemoryIO;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A direct buffer in native byte order together with its address, looked up once. */
public final class NativeBuffer {
    private final ByteBuffer buffer;
    private final long address;

    private NativeBuffer(ByteBuffer buffer) {
        this.buffer = buffer;
        this.address = addressOf(buffer);
    }

    public static NativeBuffer allocate(int capacity) {
        return new NativeBuffer(ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder()));
    }

    /** The address of a direct buffer's first byte (not of its position). */
    public static long addressOf(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("native calls need a direct buffer");
        }
        return MemoryIO.getInstance().getDirectBufferAddress(direct);
    }

    public ByteBuffer buffer() {
        return buffer;
    }

    public long address() {
        return address;
    }

    public int capacity() {
        return buffer.capacity();
    }
}
