package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.FuseDevice;
import dev.thawfs.fs.kernel.NativeBuffer;
import java.nio.ByteBuffer;

/** Requests read from {@code /dev/fuse}, replies written to it with one writev from any thread. */
final class DevFuseTransport implements Transport {

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
        return ReplyBuffers.forThisThread();
    }

    @Override
    public int send(ByteBuffer first, ByteBuffer second, FuseRequest answering) {
        int result = device.write(first, second);
        if (result < 0 && answering != null) {
            answering.refused(-result);
        }
        return result;
    }
}
