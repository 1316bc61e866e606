package dev.thawfs.fs.kernel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An open {@code /dev/fuse}: reads requests, writes replies and notifications (one
 * {@code writev} each) and registers passthrough backing files. Methods return a negative errno
 * instead of throwing, because the request loop treats most errors as ordinary events.
 */
public final class FuseDevice implements AutoCloseable {
    public static final Path PATH = Path.of("/dev/fuse");

    /** {@code _IOW(229, 1, struct fuse_backing_map)}. */
    static final long BACKING_OPEN = 0x4010E501L;
    /** {@code _IOW(229, 2, uint32_t)}. */
    static final long BACKING_CLOSE = 0x4004E502L;
    /** {@code struct fuse_backing_map { int32 fd; uint32 flags; uint64 ops_mask; }}. */
    static final int BACKING_MAP_SIZE = 16;

    private static final ThreadLocal<NativeBuffer> IOVECS = ThreadLocal.withInitial(() -> NativeBuffer.allocate(32));
    private static final ThreadLocal<NativeBuffer> IOCTL_ARGS =
            ThreadLocal.withInitial(() -> NativeBuffer.allocate(BACKING_MAP_SIZE));

    private final Libc libc = Libc.INSTANCE;
    private final int fd;
    private volatile boolean closed;

    private FuseDevice(int fd) {
        this.fd = fd;
    }

    /** Opens {@code /dev/fuse}, with a message that says what to do when it cannot. */
    public static FuseDevice open() throws IOException {
        if (!Files.exists(PATH)) {
            throw new IOException("no " + PATH + " on this machine: load the FUSE module (modprobe fuse),"
                    + " or give the container the device (--device /dev/fuse)");
        }
        int fd = Libc.INSTANCE.open(NativePath.of(PATH), Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) {
            int errno = Libc.errno();
            throw new IOException("cannot open " + PATH + ": " + Errno.describe(errno)
                    + (errno == Errno.EACCES || errno == Errno.EPERM ? "; thawfs must run as root" : ""));
        }
        return new FuseDevice(fd);
    }

    public int fd() {
        return fd;
    }

    /** Reads one request into {@code into} from its position 0; returns its length or -errno. */
    public int read(NativeBuffer into) {
        long n = libc.read(fd, into.address(), into.capacity());
        return n < 0 ? -Libc.errno() : (int) n;
    }

    /** Writes {@code first} then {@code second} (may be null), each from position to limit. */
    public int write(ByteBuffer first, ByteBuffer second) {
        if (closed) {
            return -Errno.ENODEV; // a late answer: the descriptor number may belong to another file by now
        }
        NativeBuffer iov = IOVECS.get();
        ByteBuffer v = iov.buffer();
        v.putLong(0, NativeBuffer.addressOf(first) + first.position());
        v.putLong(8, first.remaining());
        int count = 1;
        if (second != null && second.hasRemaining()) {
            v.putLong(16, NativeBuffer.addressOf(second) + second.position());
            v.putLong(24, second.remaining());
            count = 2;
        }
        long n = libc.writev(fd, iov.address(), count);
        return n < 0 ? -Libc.errno() : 0;
    }

    /** Registers {@code file} as a backing file; returns the positive backing id or -errno. */
    public int openBacking(Path file, long opsMask) {
        int fileFd = libc.open(NativePath.of(file), Libc.O_RDONLY | Libc.O_CLOEXEC);
        if (fileFd < 0) {
            return -Libc.errno();
        }
        try {
            NativeBuffer arg = IOCTL_ARGS.get();
            ByteBuffer map = arg.buffer();
            map.putInt(0, fileFd);
            map.putInt(4, 0);
            map.putLong(8, opsMask);
            int id = libc.ioctl(fd, BACKING_OPEN, arg.address());
            return id < 0 ? -Libc.errno() : id;
        } finally {
            libc.close(fileFd); // the kernel holds its own reference to the file
        }
    }

    /** Unregisters a backing id; returns 0 or -errno. */
    public int closeBacking(int backingId) {
        NativeBuffer arg = IOCTL_ARGS.get();
        arg.buffer().putInt(0, backingId);
        return libc.ioctl(fd, BACKING_CLOSE, arg.address()) < 0 ? -Libc.errno() : 0;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            libc.close(fd);
        }
    }
}
