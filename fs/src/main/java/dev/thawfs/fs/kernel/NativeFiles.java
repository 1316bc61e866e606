package dev.thawfs.fs.kernel;

import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.Statfs;
import java.nio.file.Path;

/** File metadata straight from the kernel: all of stat (nanosecond times, nlink, blocks) in one call. */
public final class NativeFiles {
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
