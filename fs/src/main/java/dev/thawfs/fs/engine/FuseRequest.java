package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.Statfs;
import dev.thawfs.fs.proto.Structs;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * One request from the kernel and the means to answer it, exactly once, from any thread. Only
 * the first reply is sent; later ones (a fetch finishing after an interrupt, say) are dropped.
 * Every reply is built in the answering thread's own buffer and written with one writev.
 */
public final class FuseRequest {
    private static final System.Logger LOG = System.getLogger(FuseRequest.class.getName());
    private static final VarHandle ANSWERED;

    static {
        try {
            ANSWERED = MethodHandles.lookup().findVarHandle(FuseRequest.class, "answered", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final FuseChannel channel;
    private final long unique;
    private final int opcode;
    private final long nodeid;
    private final int uid;
    private final int gid;
    private final int pid;
    private final long arrivedNanos = System.nanoTime();
    @SuppressWarnings("unused") // through ANSWERED
    private volatile int answered;
    private volatile Runnable interruptHandler;
    /** The handle an OPEN or OPENDIR answer hands the kernel, released if the kernel refuses it. */
    private long openedHandle;
    private boolean handleSent;

    FuseRequest(FuseChannel channel, long unique, int opcode, long nodeid, int uid, int gid, int pid) {
        this.channel = channel;
        this.unique = unique;
        this.opcode = opcode;
        this.nodeid = nodeid;
        this.uid = uid;
        this.gid = gid;
        this.pid = pid;
    }

    public long unique() {
        return unique;
    }

    public int opcode() {
        return opcode;
    }

    public long nodeid() {
        return nodeid;
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    public int pid() {
        return pid;
    }

    /**
     * Makes the request interruptible: if the caller gives up (Ctrl-C on a blocked read) before
     * the request is answered, it is answered EINTR and the handler runs (to cancel the work).
     * Call it before parking a request.
     */
    public void onInterrupt(Runnable handler) {
        interruptHandler = handler;
        channel.registerInterruptible(this);
    }

    /** Whether the request was already answered (or interrupted). */
    public boolean isAnswered() {
        return answered != 0;
    }

    /** Answers EINTR and, if that answer won over the handler's own, runs the interrupt handler. */
    void interrupt() {
        if (claim()) {
            send(channel.replyBuffer(), -Errno.EINTR, 0);
            Runnable handler = interruptHandler;
            if (handler != null) {
                handler.run();
            }
        }
    }

    public void replyError(int errno) {
        if (claim()) {
            send(channel.replyBuffer(), -errno, 0);
        }
    }

    public void replyEmpty() {
        if (claim()) {
            send(channel.replyBuffer(), 0, 0);
        }
    }

    /** A lookup answer; fuse_entry2_out once FUSE_PASSTHROUGH_INO is negotiated, fuse_entry_out before. */
    public void replyEntry(Entry entry) {
        if (!claim()) {
            return;
        }
        ByteBuffer b = channel.replyBuffer();
        if (channel.entry2) {
            Structs.Entry2Out.put(b, Structs.OutHeader.SIZE, entry);
            send(b, 0, Structs.Entry2Out.SIZE);
        } else {
            Structs.EntryOut.put(b, Structs.OutHeader.SIZE, entry);
            send(b, 0, Structs.EntryOut.SIZE);
        }
    }

    public void replyAttributes(FileAttributes attributes, long validNanos) {
        if (claim()) {
            ByteBuffer b = channel.replyBuffer();
            Structs.AttrOut.put(b, Structs.OutHeader.SIZE, attributes, validNanos);
            send(b, 0, Structs.AttrOut.SIZE);
        }
    }

    /**
     * Answers OPEN or OPENDIR. If the kernel refuses the answer (it dropped the open meanwhile),
     * the filesystem's release runs so the handle does not leak: no RELEASE will come for it.
     */
    public void replyOpen(long fh, int openFlags, int backingId) {
        if (!claim()) {
            return;
        }
        ByteBuffer b = channel.replyBuffer();
        Structs.OpenOut.put(b, Structs.OutHeader.SIZE, fh, openFlags, backingId);
        openedHandle = fh;
        handleSent = true;
        send(b, 0, Structs.OpenOut.SIZE);
    }

    /**
     * The kernel turned this request's answer down, when it was sent or (over io_uring) once it
     * looked at it. ENOENT: it no longer waits for the request (interrupted or aborted); ENODEV,
     * ENOTCONN: the connection ended. An OPEN's handle is released, since no RELEASE will come.
     */
    void refused(int errno) {
        if (errno != Errno.ENOENT && errno != Errno.ENODEV && errno != Errno.ENOTCONN) {
            LOG.log(System.Logger.Level.WARNING, "reply to " + Opcode.name(opcode) + " of node " + nodeid
                    + " was refused by the kernel: " + Errno.describe(errno));
        }
        if (handleSent && !channel.ended()) {
            handleSent = false;
            if (opcode == Opcode.OPENDIR) {
                channel.filesystem.releasedir(nodeid, openedHandle);
            } else {
                channel.filesystem.release(nodeid, openedHandle);
            }
        }
    }

    /** Sends {@code data} (position to limit) after the header; a direct buffer is not copied. */
    public void replyData(ByteBuffer data) {
        if (!claim()) {
            return;
        }
        ByteBuffer b = channel.replyBuffer();
        int length = data.remaining();
        if (data.isDirect()) {
            transmit(b, data, 0, length);
        } else {
            b.position(Structs.OutHeader.SIZE);
            b.put(data.duplicate());
            send(b, 0, length);
        }
    }

    public void replyData(byte[] data) {
        replyData(ByteBuffer.wrap(data));
    }

    /**
     * Answers READ from {@code file}, whose content is {@code fileSize} bytes: all of the asked
     * range that lies within them, or EIO when the file holds fewer (a short reply would make the
     * kernel take the file as shorter than it is).
     */
    public void replyRead(FileChannel file, long position, int size, long fileSize) {
        if (!claim()) {
            return;
        }
        ByteBuffer b = channel.replyBuffer();
        int length = (int) Math.max(0, Math.min(Math.min(size, b.capacity() - Structs.OutHeader.SIZE), fileSize - position));
        b.position(Structs.OutHeader.SIZE).limit(Structs.OutHeader.SIZE + length);
        try {
            while (b.hasRemaining() && file.read(b, position + b.position() - Structs.OutHeader.SIZE) > 0) {
                // until the range is read or the file ends
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "read of node " + nodeid + " at " + position + " failed: " + e);
            send(b.clear(), -Errno.EIO, 0);
            return;
        }
        if (b.hasRemaining()) {
            LOG.log(System.Logger.Level.WARNING, "read of node " + nodeid + " at " + position + ": its local copy ends "
                    + "before its size of " + fileSize + " bytes");
            send(b.clear(), -Errno.EIO, 0);
            return;
        }
        send(b, 0, length);
    }

    public void replyStatfs(Statfs statfs) {
        if (claim()) {
            ByteBuffer b = channel.replyBuffer();
            Structs.Kstatfs.put(b, Structs.OutHeader.SIZE, statfs);
            send(b, 0, Structs.Kstatfs.SIZE);
        }
    }

    /**
     * Answers GETXATTR or LISTXATTR: the size alone when the caller asked with size 0, the value
     * when it fits, ERANGE when it does not.
     */
    public void replyXattr(byte[] value, int size) {
        if (size == 0) {
            if (claim()) {
                ByteBuffer b = channel.replyBuffer();
                Structs.Xattr.putSize(b, Structs.OutHeader.SIZE, value.length);
                send(b, 0, Structs.Xattr.OUT_SIZE);
            }
        } else if (value.length > size) {
            replyError(Errno.ERANGE);
        } else {
            replyData(value);
        }
    }

    /** Starts a READDIR/READDIRPLUS answer of at most {@code size} bytes, built and sent on this thread. */
    public DirectoryReply replyDirectory(int size) {
        return new DirectoryReply(this, channel.replyBuffer(), size);
    }

    void sendDirectory(ByteBuffer b, int length) {
        if (claim()) {
            send(b, 0, length);
        }
    }

    private boolean claim() {
        if (!ANSWERED.compareAndSet(this, 0, 1)) {
            return false;
        }
        channel.answered(this, interruptHandler != null);
        channel.stats.answered(opcode, System.nanoTime() - arrivedNanos);
        return true;
    }

    private void send(ByteBuffer b, int error, int payloadLength) {
        transmit(b, null, error, payloadLength);
    }

    /** Writes the header at the start of {@code b}, then the payload: in {@code b}, or {@code body}. */
    private void transmit(ByteBuffer b, ByteBuffer body, int error, int payloadLength) {
        Structs.OutHeader.put(b, Structs.OutHeader.SIZE + payloadLength, error, unique);
        b.position(0).limit(Structs.OutHeader.SIZE + (body == null ? payloadLength : 0));
        if (opcode == Opcode.READ) {
            channel.stats.addReadBytes(payloadLength);
        }
        channel.transport.send(b, body, this);
    }
}
