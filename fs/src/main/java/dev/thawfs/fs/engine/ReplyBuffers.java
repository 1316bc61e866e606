package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.NativeBuffer;
import java.nio.ByteBuffer;

/** One reply buffer per thread, for transports whose replies are built on the answering thread. */
final class ReplyBuffers {
    private static final ThreadLocal<NativeBuffer> BUFFERS =
            ThreadLocal.withInitial(() -> NativeBuffer.allocate(Transport.REPLY_CAPACITY));

    private ReplyBuffers() {
    }

    /** This thread's buffer of {@link Transport#REPLY_CAPACITY} bytes, cleared. */
    static ByteBuffer forThisThread() {
        ByteBuffer b = BUFFERS.get().buffer();
        b.clear();
        return b;
    }
}
