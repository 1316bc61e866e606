package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.FuseDevice;
import dev.thawfs.fs.kernel.NativeBuffer;
import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.fs.proto.Structs;
import dev.thawfs.fs.kernel.MountException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/** The kernel connection as a filesystem sees it, with the passthrough downgrade policy. */
final class DeviceConnection implements KernelConnection {
    private static final System.Logger LOG = System.getLogger(DeviceConnection.class.getName());
    /**
     * FUSE_PASSTHROUGH_OP_GETATTR|READ|WRITE: v1 of the INO series maps a file only with READ and
     * WRITE (the mount is read-only, so WRITE never carries a write).
     */
    static final long INODE_OPS_MASK = 0xC004L;
    /** FUSE_PASSTHROUGH_OP_OPEN: the kernel opens an attached inode's backing file without asking. */
    static final long OP_OPEN = 0x2000L;
    private static final int NOTIFY_INVAL_INODE = 2;
    private static final int NOTIFY_INVAL_ENTRY = 3;
    private static final ThreadLocal<NativeBuffer> NOTIFY_BUFFERS =
            ThreadLocal.withInitial(() -> NativeBuffer.allocate(Structs.OutHeader.SIZE + Structs.NotifyInvalEntry.SIZE + 4096));

    private final FuseDevice device;
    private final Transport transport;
    private final PassthroughPolicy mode;
    private final long inodeOpsMask;
    private volatile PassthroughTier tier;
    private final AtomicInteger backingIds = new AtomicInteger();

    /** Backing files are registered on {@code device}; notifications go through {@code transport}. */
    DeviceConnection(FuseDevice device, Transport transport, PassthroughPolicy mode, PassthroughTier tier) {
        this.device = device;
        this.transport = transport;
        this.mode = mode;
        this.inodeOpsMask = mode == PassthroughPolicy.INODE_OPEN ? INODE_OPS_MASK | OP_OPEN : INODE_OPS_MASK;
        this.tier = tier;
    }

    @Override
    public PassthroughTier tier() {
        return tier;
    }

    @Override
    public int openBacking(Path file) {
        PassthroughTier current = tier;
        if (!current.passesThrough()) {
            return 0;
        }
        int id = device.openBacking(file, current == PassthroughTier.A ? inodeOpsMask : 0);
        if (id > 0) {
            backingIds.incrementAndGet();
            return id;
        }
        int errno = -id;
        if (isRefusal(errno) && mode == PassthroughPolicy.AUTO) {
            downgrade("the kernel refused backing file " + file + " with " + Errno.describe(errno));
            return 0;
        }
        if (isRefusal(errno)) {
            LOG.log(System.Logger.Level.ERROR, "passthrough is required but the kernel refused backing file "
                    + file + ": " + Errno.describe(errno));
        }
        return id;
    }

    /** Errors that say passthrough cannot work here at all (no privilege, stacking, unknown mask). */
    private static boolean isRefusal(int errno) {
        return errno == Errno.EPERM || errno == Errno.EINVAL || errno == Errno.ELOOP || errno == Errno.EOPNOTSUPP;
    }

    /**
     * Registers and drops a backing file in {@code directory} at mount time, so a kernel or a
     * filesystem that refuses backing files is found before the first user open.
     */
    void probe(Path directory) throws MountException {
        if (!tier.passesThrough()) {
            return;
        }
        Path file;
        try {
            file = Files.createTempFile(directory, ".thawfs-probe-", "");
        } catch (IOException e) {
            String reason = "cannot create a probe file in " + directory + " (" + e + ")";
            if (mode != PassthroughPolicy.AUTO) {
                throw new MountException("passthrough is required but cannot be checked: " + reason
                        + ". Make the store directory writable by this user, or use --passthrough auto");
            }
            LOG.log(System.Logger.Level.WARNING, "passthrough not checked at mount: " + reason);
            return;
        }
        try {
            int id = device.openBacking(file, tier == PassthroughTier.A ? inodeOpsMask : 0);
            if (id > 0) {
                device.closeBacking(id);
            } else if (mode != PassthroughPolicy.AUTO) {
                throw new MountException("passthrough is required but the kernel refused a backing file in "
                        + directory + " (" + Errno.describe(-id) + "): the store must be on a local filesystem"
                        + " (not overlayfs or FUSE) and thawfs must run as root. Use --passthrough auto to go on"
                        + " without it");
            } else {
                downgrade("the kernel refused a backing file in " + directory + " with " + Errno.describe(-id));
            }
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not delete " + file + ": " + e);
            }
        }
    }

    synchronized void downgrade(String reason) {
        if (tier.passesThrough()) {
            tier = PassthroughTier.C;
            LOG.log(System.Logger.Level.WARNING, "passthrough off for this mount: " + reason
                    + "; the daemon serves reads from now on");
        }
    }

    @Override
    public void closeBacking(int backingId) {
        int result = device.closeBacking(backingId);
        if (result == 0) {
            backingIds.decrementAndGet();
        } else {
            LOG.log(System.Logger.Level.WARNING, "closing backing id " + backingId + " failed: "
                    + Errno.describe(-result));
        }
    }

    @Override
    public int backingIds() {
        return backingIds.get();
    }

    @Override
    public boolean invalidateEntry(long parent, String name) {
        byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = notifyBuffer();
        return notify(b, NOTIFY_INVAL_ENTRY, Structs.NotifyInvalEntry.put(b, Structs.OutHeader.SIZE, parent, utf8));
    }

    @Override
    public boolean invalidateInode(long nodeid, long offset, long length) {
        ByteBuffer b = notifyBuffer();
        Structs.NotifyInvalInode.put(b, Structs.OutHeader.SIZE, nodeid, offset, length);
        return notify(b, NOTIFY_INVAL_INODE, Structs.NotifyInvalInode.SIZE);
    }

    private static ByteBuffer notifyBuffer() {
        ByteBuffer b = NOTIFY_BUFFERS.get().buffer();
        b.clear();
        return b;
    }

    /**
     * Notifications are unsolicited replies: unique 0, the code in the error field. They have a
     * buffer of their own, since one may go out while this thread builds a reply.
     */
    private boolean notify(ByteBuffer b, int code, int payloadLength) {
        Structs.OutHeader.put(b, Structs.OutHeader.SIZE + payloadLength, code, 0);
        b.position(0).limit(Structs.OutHeader.SIZE + payloadLength);
        int result = transport.send(b, null, null);
        if (result < 0 && result != -Errno.ENOENT) {
            LOG.log(System.Logger.Level.WARNING, "notification " + code + " refused: " + Errno.describe(-result));
        }
        return result == 0;
    }
}
