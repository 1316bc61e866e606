package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.NativeBuffer;
import dev.thawfs.fs.proto.Negotiation;
import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;

/**
 * How requests arrive and replies leave: {@code /dev/fuse} reads and writes for a mount, recorded
 * bytes for the kernel model in tests. The engine decodes, dispatches and encodes; a transport
 * only moves whole messages.
 */
public interface Transport {
    /** The kernel refuses reads into buffers smaller than max_write plus the headers of a WRITE. */
    int REQUEST_CAPACITY = Negotiation.MAX_WRITE + 4096;
    /** The largest reply: a header and one max_pages READ. */
    int REPLY_CAPACITY = Structs.OutHeader.SIZE + Negotiation.MAX_PAGES * 4096;

    /**
     * Waits for the next request and places it at the start of {@code into}.
     *
     * @return its length, or -errno: EINTR, EAGAIN and ENOENT are worth a retry, ENODEV means
     *     the connection ended
     */
    int receive(NativeBuffer into);

    /** A cleared buffer of {@link #REPLY_CAPACITY} bytes that the calling thread may fill and send. */
    ByteBuffer replyBuffer();

    /**
     * Sends one message, {@code first} then {@code second} (may be null), each from position to
     * limit, as one write. When the kernel turns an answer down, now or once it has looked at it,
     * the transport tells {@code answering} through {@link FuseRequest#refused}.
     *
     * @param answering the request this message answers; null for a notification or INIT
     * @return 0 (also for an answer the kernel has yet to look at), or -errno (ENOENT: the kernel
     *     no longer waits for that request; ENODEV: unmounted)
     */
    int send(ByteBuffer first, ByteBuffer second, FuseRequest answering);

    /** Frees what the transport holds, once the connection has ended. */
    default void close() {
    }
}
