package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.FuseDevice;
import dev.thawfs.fs.kernel.NativeBuffer;
import java.nio.ByteBuffer;

/** Requests read from {@code /dev/fuse}, replies written to it with one writev from any thread. */
final class DevFuseTransport implements Transport {
    private static final ThreadLocal<NativeBuffer> REPLY_BUFFERS =
            ThreadLocal.withInitial(() -> NativeBuffer.allocate(REPLY_CAPACITY));

    private final FuseDevice device;

    DevFuseTransport(FuseDevice device) {
        this.device = device;
    }

    @Override
    public int receive(NativeBuffer into) {
        return device.read(into);
    }

    @Override
    public ByteBuffer replyBuffer() {
        ByteBuffer b = REPLY_BUFFERS.get().buffer();
        b.clear();
        return b;
    }

    @Override
    public int send(ByteBuffer first, ByteBuffer second) {
        return device.write(first, second);
    }
}
