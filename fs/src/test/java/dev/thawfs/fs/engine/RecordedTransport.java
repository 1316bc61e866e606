package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.NativeBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;

/** A transport for tests that play the kernel: each message sent is handed over as a copy of its bytes. */
final class RecordedTransport implements Transport {
    private static final ThreadLocal<ByteBuffer> REPLY_BUFFERS = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(REPLY_CAPACITY).order(ByteOrder.nativeOrder()));

    private final Consumer<ByteBuffer> messages;
    private volatile int refusal;

    RecordedTransport(Consumer<ByteBuffer> messages) {
        this.messages = messages;
    }

    /** From now on the kernel turns answers down with {@code errno} (0: takes them). */
    void refuseWith(int errno) {
        refusal = errno;
    }

    /** Requests are dispatched by the test itself. */
    @Override
    public int receive(NativeBuffer into) {
        return -Errno.ENODEV;
    }

    @Override
    public ByteBuffer replyBuffer() {
        return REPLY_BUFFERS.get().clear();
    }

    @Override
    public int send(ByteBuffer first, ByteBuffer second, FuseRequest answering) {
        ByteBuffer copy = ByteBuffer.allocate(first.remaining() + (second == null ? 0 : second.remaining()))
                .order(ByteOrder.nativeOrder());
        copy.put(first.duplicate());
        if (second != null) {
            copy.put(second.duplicate());
        }
        messages.accept(copy.flip());
        int errno = refusal;
        if (errno != 0 && answering != null) {
            answering.refused(errno);
        }
        return -errno;
    }
}
