package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.OpenFlags;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays the kernel's side of FUSE_PASSTHROUGH_INO (v1 of the series; protocol 7.47 as rebased on 7.3.4) against a
 * filesystem: it sends requests through the real decoder, reads the real reply bytes, and keeps
 * the kernel's state (inodes with lookup counts, set-once backings, the iomode counter, the
 * backing id table). Every rule the kernel would enforce with an error is recorded as a
 * violation with the errno the user would have seen (kernel-protocol.md §2.3-2.10).
 */
final class KernelModel implements KernelConnection {
    static final long OP_GETATTR = 1L << 2;
    static final long OP_READ = 1L << 14;
    static final long OP_WRITE = 1L << 15;

    /** A registered backing file, as FUSE_DEV_IOC_BACKING_OPEN records it. */
    private record Backing(int id, long ino, int type, long mask) {
    }

    /** The kernel's inode: what it learnt from replies, and its passthrough state. */
    static final class Inode {
        long ino;
        int type;
        long lookups;
        Backing backing;
        boolean inodePassthrough;
        /** > 0: opens in cached mode; < 0: passthrough references (rule 35). */
        int iocachectr;
    }

    /** An open as the kernel keeps it. */
    /** {@code byKernel}: opened by the kernel itself (open passthrough), the server never saw it. */
    record Open(long nodeid, long fh, int flags, int backingId, boolean byKernel) {
        boolean passthrough() {
            return (flags & OpenFlags.PASSTHROUGH) != 0;
        }
    }

    private final Map<Integer, Backing> backings = new ConcurrentHashMap<>();
    private final AtomicInteger nextBackingId = new AtomicInteger(1);
    private final Map<Long, Inode> inodes = new ConcurrentHashMap<>();
    private final Map<Long, ByteBuffer> replies = new ConcurrentHashMap<>();
    /** Direct-io opens mapped shared: in cached mode until their release (rule 36). */
    private final java.util.Set<Long> sharedMappings = ConcurrentHashMap.newKeySet();
    final List<String> violations = new ArrayList<>();
    final List<String> invalidatedNames = new ArrayList<>();
    private final Requests requests = new Requests();
    private final long mask;
    /** Requests sent to the server, FORGET included. */
    final AtomicInteger sent = new AtomicInteger();
    private final Dispatcher dispatcher;
    private final FuseFilesystem filesystem;

    KernelModel(FuseFilesystem filesystem) {
        this(filesystem, DeviceConnection.INODE_OPS_MASK);
    }

    /** @param mask the ops mask the server's backing registrations carry */
    KernelModel(FuseFilesystem filesystem, long mask) {
        this.filesystem = filesystem;
        this.mask = mask;
        this.dispatcher = new Dispatcher(new FuseChannel(new RecordedTransport(
                reply -> replies.put(reply.getLong(Structs.OutHeader.UNIQUE), reply)), filesystem, new RequestStats(), true));
    }

    void start() {
        filesystem.init(this);
    }

    private synchronized void violation(String rule) {
        violations.add(rule);
    }

    /** Sends a request and waits (bounded) for its reply, however late it comes. */
    private ByteBuffer call(int opcode, long nodeid, byte[] argument) {
        long unique = requests.peekUnique();
        sent.incrementAndGet();
        ByteBuffer request = requests.request(opcode, nodeid, argument);
        dispatcher.dispatch(request, request.capacity());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            ByteBuffer reply = replies.remove(unique);
            if (reply != null) {
                return reply;
            }
            Thread.onSpinWait();
        }
        throw new AssertionError(Opcode.name(opcode) + " of node " + nodeid + " was never answered");
    }

    private static int error(ByteBuffer reply) {
        return -reply.getInt(Structs.OutHeader.ERROR);
    }

    // ---- KernelConnection: what the server asks of the kernel

    @Override
    public PassthroughTier tier() {
        return PassthroughTier.A;
    }

    @Override
    public int openBacking(Path file) {
        if ((mask & OP_GETATTR) == 0) {
            violation("backing registered without GETATTR: attach fails with EOPNOTSUPP");
        }
        if ((mask & (OP_READ | OP_WRITE)) != (OP_READ | OP_WRITE)) {
            violation("v1 maps a passthrough file only with READ and WRITE in the mask: mmap would fail with ENODEV");
        }
        try {
            FileAttributes attributes = NativeFiles.lstat(file);
            int id = nextBackingId.getAndIncrement();
            backings.put(id, new Backing(id, attributes.ino(), attributes.type(), mask));
            return id;
        } catch (ErrnoException e) {
            violation("backing file " + file + " cannot be opened: " + e.getMessage());
            return -e.errno();
        }
    }

    @Override
    public void closeBacking(int backingId) {
        if (backings.remove(backingId) == null) {
            violation("BACKING_CLOSE of unknown id " + backingId);
        }
        for (Inode inode : inodes.values()) {
            if (inode.backing != null && inode.backing.id() == backingId) {
                violation("BACKING_CLOSE of id " + backingId + " while an inode the kernel holds uses it");
            }
        }
    }

    @Override
    public synchronized boolean invalidateEntry(long parent, String name) {
        invalidatedNames.add(name);
        return true;
    }

    @Override
    public boolean invalidateInode(long nodeid, long offset, long length) {
        return true;
    }

    // ---- requests, as the VFS would make them

    /** LOOKUP (a new name or a revalidation): returns the nodeid, 0 for a negative entry. */
    long lookup(long parent, String name) {
        ByteBuffer reply = call(Opcode.LOOKUP, parent, Requests.name(name));
        if (error(reply) != 0) {
            return 0;
        }
        if (reply.limit() != Structs.OutHeader.SIZE + Structs.Entry2Out.SIZE) {
            violation("entry reply of " + (reply.limit() - Structs.OutHeader.SIZE) + " bytes, not 312: EIO");
            return 0;
        }
        int at = Structs.OutHeader.SIZE;
        long nodeid = reply.getLong(at + Structs.Entry2Out.NODEID);
        if (reply.getInt(at + Structs.Entry2Out.FLAGS) != 0 || reply.getLong(at + Structs.Entry2Out.RESERVED) != 0) {
            violation("entry2 flags/reserved not zero (v2 rejects it)");
        }
        if (nodeid == 0) {
            return 0;
        }
        FileAttributes statx = FileAttributes.fromStatx(reply, at + Structs.Entry2Out.STATX);
        if (statx.ino() != nodeid) {
            violation(name + ": statx.ino " + statx.ino() + " != nodeid " + nodeid);
        }
        Inode inode = inodes.computeIfAbsent(nodeid, id -> {
            Inode created = new Inode();
            created.ino = statx.ino();
            created.type = statx.type();
            return created;
        });
        inode.lookups++;
        int backingId = reply.getInt(at + Structs.Entry2Out.BACKING_ID);
        if (backingId > 0) {
            attach(name, inode, backingId);
        }
        return nodeid;
    }

    /** fuse_inode_set_passthrough (rule 20). */
    private void attach(String name, Inode inode, int backingId) {
        if (inode.inodePassthrough) {
            if (inode.backing.id() != backingId) {
                violation(name + ": a second, different backing id " + backingId + " for an attached inode (ignored, set-once)");
            }
            return;
        }
        Backing backing = backings.get(backingId);
        if (backing == null) {
            violation(name + ": unknown backing id " + backingId + ": ENOENT");
            return;
        }
        if (inode.backing != null && inode.backing != backing) {
            violation(name + ": the inode has another backing from an open: EBUSY");
        } else if (backing.type() != inode.type) {
            violation(name + ": backing file type differs: EIO");
        } else if (backing.ino() != inode.ino) {
            violation(name + ": backing ino " + backing.ino() + " != inode ino " + inode.ino + ": EIO");
        } else if (inode.iocachectr > 0) {
            violation(name + ": attach while open in cached mode: ETXTBSY");
        } else {
            inode.backing = backing;
            inode.inodePassthrough = true;
            inode.iocachectr--;
        }
    }

    /** GETATTR, unless the inode passes getattr through to its backing file (rule 39). */
    boolean getattr(long nodeid) {
        Inode inode = inodes.get(nodeid);
        if (inode != null && inode.inodePassthrough) {
            return false;
        }
        ByteBuffer reply = call(Opcode.GETATTR, nodeid, new byte[Structs.ReadIn.SIZE]);
        if (error(reply) == 0 && reply.getLong(Structs.OutHeader.SIZE + Structs.AttrOut.ATTR + Structs.Attr.INO) != nodeid) {
            violation("getattr of " + nodeid + " reports another inode number");
        }
        return true;
    }

    /** OPEN with the iomode rules of fuse_file_io_open (rules 27-31, 36). */
    Open open(long nodeid) {
        Inode attached = inodes.get(nodeid);
        if (attached != null && attached.inodePassthrough && (attached.backing.mask() & DeviceConnection.OP_OPEN) != 0) {
            attached.iocachectr--; // rule 33: the kernel opens the backing file, no OPEN is sent
            return new Open(nodeid, 0, OpenFlags.PASSTHROUGH, attached.backing.id(), true);
        }
        ByteBuffer reply = call(Opcode.OPEN, nodeid, Requests.fields(0, 0));
        if (error(reply) != 0) {
            return null;
        }
        int at = Structs.OutHeader.SIZE;
        Open open = new Open(nodeid, reply.getLong(at + Structs.OpenOut.FH),
                reply.getInt(at + Structs.OpenOut.OPEN_FLAGS), reply.getInt(at + Structs.OpenOut.BACKING_ID), false);
        Inode inode = inodes.get(nodeid);
        if (open.passthrough()) {
            if ((open.flags() & OpenFlags.KEEP_CACHE) != 0) {
                violation("FOPEN_PASSTHROUGH with FOPEN_KEEP_CACHE: EIO");
            }
            Backing backing = backings.get(open.backingId());
            if (backing == null) {
                violation("open with unknown backing id " + open.backingId() + ": EIO");
            } else if (inode.backing != null && inode.backing != backing) {
                violation("open with a second backing id for one inode: EBUSY, EIO to the user");
            } else if (inode.iocachectr > 0) {
                violation("passthrough open while cached opens exist: EIO");
            } else if (backing.ino() != inode.ino) {
                violation("open backing ino differs from the inode: EIO");
            } else {
                inode.backing = backing;
                inode.iocachectr--;
            }
        } else if (inode.backing != null) {
            violation("an open without FOPEN_PASSTHROUGH of an inode with a backing file: EIO");
        } else if ((open.flags() & OpenFlags.DIRECT_IO) == 0) {
            inode.iocachectr++;
        }
        return open;
    }

    /** READ of a non-passthrough open; returns the bytes. */
    ByteBuffer read(Open open, long offset, int size) {
        if (open.passthrough()) {
            throw new AssertionError("the kernel never sends READ for a passthrough open");
        }
        ByteBuffer reply = call(Opcode.READ, open.nodeid(), Requests.fields(open.fh(), offset, size, 0, 0L, 0, 0));
        return reply.position(Structs.OutHeader.SIZE).slice();
    }

    /** mmap(MAP_SHARED) as fuse_file_mmap does it, with FUSE_DIRECT_IO_ALLOW_MMAP negotiated. */
    void mmapShared(Open open) {
        Inode inode = inodes.get(open.nodeid());
        if (open.passthrough()) {
            return; // maps the backing file
        }
        if (inode.backing != null) {
            violation("mmap of an open without passthrough of an inode with a backing file: ENODEV");
        } else if ((open.flags() & OpenFlags.DIRECT_IO) != 0 && sharedMappings.add(open.fh())) {
            inode.iocachectr++; // the first shared map of a direct-io file enters cached mode
        }
    }

    /** close(): the kernel drops the iomode reference before sending RELEASE (rule 37). */
    void release(Open open) {
        Inode inode = inodes.get(open.nodeid());
        if (sharedMappings.remove(open.fh())) {
            inode.iocachectr--;
        }
        if (open.passthrough()) {
            inode.iocachectr++;
            if (inode.iocachectr == 0 && !inode.inodePassthrough) {
                inode.backing = null; // the last passthrough open detaches a per-open backing
            }
        } else if ((open.flags() & OpenFlags.DIRECT_IO) == 0) {
            inode.iocachectr--;
        }
        if (open.byKernel()) {
            return; // no RELEASE for a kernel-initiated open
        }
        call(Opcode.RELEASE, open.nodeid(), Requests.fields(open.fh(), 0, 0, 0L));
    }

    /** Inode eviction: the backing is released, then FORGET with the whole lookup count (rule 43). */
    void evict(long nodeid) {
        Inode inode = inodes.remove(nodeid);
        if (inode.iocachectr != 0 && inode.iocachectr != -1) {
            violation("evicting inode " + nodeid + " with iocachectr " + inode.iocachectr);
        }
        sent.incrementAndGet();
        ByteBuffer forget = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, inode.lookups);
        dispatcher.dispatch(requests.request(Opcode.FORGET, nodeid, forget.array()),
                Structs.InHeader.SIZE + 8);
    }

    Inode inode(long nodeid) {
        return inodes.get(nodeid);
    }

    @Override
    public int backingIds() {
        return backings.size();
    }
}
