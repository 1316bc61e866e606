package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.OpenFlags;
import dev.thawfs.fs.proto.Statfs;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A root with two 8 KiB files for engine tests: "fast" answers reads at once, "slow" hands each
 * read to {@link #slowReads}. Counts lookups and getattrs; entries and attributes stay valid
 * for {@code validityNanos}.
 */
class TinyFilesystem implements FuseFilesystem {
    static final long SLOW = 2;
    static final long FAST = 3;
    static final int SIZE = 8192;

    interface ReadHandler {
        void read(FuseRequest request, long offset, int size);
    }

    final AtomicInteger lookups = new AtomicInteger();
    final AtomicInteger getattrs = new AtomicInteger();
    volatile KernelConnection kernel;
    private final long validityNanos;
    private final ReadHandler slowReads;

    TinyFilesystem(long validityNanos, ReadHandler slowReads) {
        this.validityNanos = validityNanos;
        this.slowReads = slowReads;
    }

    private static FileAttributes attributes(long node) {
        int mode = node == 1 ? FileAttributes.S_IFDIR | 0755 : FileAttributes.S_IFREG | 0644;
        return new FileAttributes(node, mode, 1, 0, 0, node == 1 ? 0 : SIZE, 16, 4096, 0, 0, 0, 0, 0, 0, 0);
    }

    @Override
    public void init(KernelConnection kernel) {
        this.kernel = kernel;
    }

    @Override
    public void lookup(FuseRequest request, long parent, String name) {
        lookups.incrementAndGet();
        long node = name.equals("slow") ? SLOW : name.equals("fast") ? FAST : 0;
        if (node == 0) {
            request.replyError(Errno.ENOENT);
        } else {
            request.replyEntry(Entry.of(node, attributes(node), validityNanos, validityNanos));
        }
    }

    @Override
    public void getattr(FuseRequest request, long nodeid) {
        getattrs.incrementAndGet();
        request.replyAttributes(attributes(nodeid), validityNanos);
    }

    @Override
    public void open(FuseRequest request, long nodeid, int flags) {
        request.replyOpen(nodeid, OpenFlags.DIRECT_IO, 0);
    }

    @Override
    public void read(FuseRequest request, long nodeid, long fh, long offset, int size) {
        if (nodeid == SLOW && offset < SIZE) {
            slowReads.read(request, offset, size);
        } else {
            request.replyData(ByteBuffer.allocateDirect((int) Math.max(0, Math.min(size, SIZE - offset))));
        }
    }

    @Override
    public void release(long nodeid, long fh) {
    }

    @Override
    public void opendir(FuseRequest request, long nodeid, int flags) {
        request.replyOpen(0, 0, 0);
    }

    @Override
    public void readdir(FuseRequest request, long nodeid, long fh, long offset, int size) {
        DirectoryReply reply = request.replyDirectory(size);
        if (offset < 1) {
            reply.add("fast", FAST, FileAttributes.S_IFREG, 1);
        }
        if (offset < 2) {
            reply.add("slow", SLOW, FileAttributes.S_IFREG, 2);
        }
        reply.send();
    }

    @Override
    public void releasedir(long nodeid, long fh) {
    }

    @Override
    public void statfs(FuseRequest request, long nodeid) {
        request.replyStatfs(new Statfs(0, 0, 0, 0, 0, 4096, 255, 4096));
    }

    @Override
    public void readlink(FuseRequest request, long nodeid) {
        request.replyError(Errno.EINVAL);
    }
}
