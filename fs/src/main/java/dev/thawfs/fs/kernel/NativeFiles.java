package dev.thawfs.fs.kernel;

import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.Statfs;
import java.nio.file.Path;

/** File metadata straight from the kernel: all of stat (nanosecond times, nlink, blocks) in one call. */
public final class NativeFiles {
    private static final int GETXATTR_ATTEMPTS = 5;
    private static final ThreadLocal<NativeBuffer> BUFFERS = ThreadLocal.withInitial(() -> NativeBuffer.allocate(256));

    private NativeFiles() {
    }

    /** lstat(2): the attributes of {@code path} itself, not of what a symlink points to. */
    public static FileAttributes lstat(Path path) throws ErrnoException {
        NativeBuffer buffer = BUFFERS.get();
        if (Libc.INSTANCE.statx(Libc.AT_FDCWD, NativePath.of(path), Libc.AT_SYMLINK_NOFOLLOW,
                Libc.STATX_BASIC_STATS, buffer.address()) < 0) {
            int errno = Libc.errno();
            throw new ErrnoException(errno, "stat " + path + ": " + Errno.describe(errno));
        }
        return FileAttributes.fromStatx(buffer.buffer(), 0);
    }

    /**
     * lgetxattr(2): an extended attribute of {@code path} itself, read without opening the file
     * (an open would itself change what thawfs reports in {@code user.thawfs.state}).
     */
    public static String getxattr(Path path, String name) throws ErrnoException {
        byte[] file = NativePath.of(path);
        byte[] attribute = NativePath.of(name);
        for (int attempt = 1; ; attempt++) {
            long size = Libc.INSTANCE.lgetxattr(file, attribute, 0, 0);
            NativeBuffer buffer = size <= 256 ? BUFFERS.get() : NativeBuffer.allocate((int) size);
            long length = size < 0 ? size : Libc.INSTANCE.lgetxattr(file, attribute, buffer.address(), buffer.capacity());
            if (length >= 0) {
                byte[] value = new byte[(int) length];
                buffer.buffer().get(0, value);
                return new String(value, java.nio.charset.StandardCharsets.UTF_8);
            }
            int errno = Libc.errno();
            // ERANGE: the value grew since its size was asked (a busy mount's user.thawfs.status does)
            if (errno != Errno.ERANGE || attempt == GETXATTR_ATTEMPTS) {
                throw new ErrnoException(errno, "getxattr " + name + " of " + path + ": " + Errno.describe(errno));
            }
        }
    }

    /** statvfs(3) of the filesystem holding {@code path}. */
    public static Statfs statfs(Path path) throws ErrnoException {
        NativeBuffer buffer = BUFFERS.get();
        if (Libc.INSTANCE.statvfs(NativePath.of(path), buffer.address()) < 0) {
            int errno = Libc.errno();
            throw new ErrnoException(errno, "statfs " + path + ": " + Errno.describe(errno));
        }
        return Statfs.fromStatvfs(buffer.buffer());
    }
}
