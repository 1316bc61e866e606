package dev.thawfs.fs.kernel;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.IgnoreError;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;

/**
 * The few libc calls the engine needs. Buffers are passed as raw addresses of direct memory
 * (see {@link NativeBuffer}) so the hot read/write path marshals nothing; paths are
 * NUL-terminated UTF-8 bytes so no platform charset gets a say in file names.
 */
public interface Libc {

    Libc INSTANCE = LibraryLoader.create(Libc.class).load("c");

    int O_RDONLY = 0;
    int O_WRONLY = 1;
    int O_RDWR = 2;
    int O_APPEND = 0x400;
    int O_CLOEXEC = 0x80000;

    long MS_RDONLY = 1;
    long MS_NOSUID = 2;
    long MS_NODEV = 4;

    int MNT_DETACH = 2;
    int AT_FDCWD = -100;
    int AT_SYMLINK_NOFOLLOW = 0x100;
    int STATX_BASIC_STATS = 0x7ff;

    @SaveError
    int open(@In byte[] path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    int dup2(int oldfd, int newfd);

    @SaveError
    long read(int fd, long buffer, long count);

    @SaveError
    long writev(int fd, long iovec, int count);

    @SaveError
    int mount(@In byte[] source, @In byte[] target, @In byte[] fstype, long flags, @In byte[] data);

    @SaveError
    int umount2(@In byte[] target, int flags);

    @SaveError
    @Variadic(fixedCount = 2)
    int ioctl(int fd, long request, long argument);

    @SaveError
    int statx(int dirfd, @In byte[] path, int flags, int mask, long buffer);

    @SaveError
    int statvfs(@In byte[] path, long buffer);

    @SaveError
    long lgetxattr(@In byte[] path, @In byte[] name, long value, long size);

    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 1;
    int EFD_CLOEXEC = 0x80000;
    /** mmap through {@link #syscall}: jnr's call of libc's mmap gets EINVAL here for io_uring's rings. */
    long SYS_MMAP = 9;
    long SYS_IO_URING_SETUP = 425;
    long SYS_IO_URING_ENTER = 426;

    @SaveError
    long write(int fd, long buffer, long count);

    @SaveError
    int munmap(long address, long length);

    @SaveError
    int eventfd(int initialValue, int flags);

    /** Pins thread {@code tid} (0: the caller) to the CPUs in the bit mask at {@code mask}. */
    @SaveError
    int sched_setaffinity(int tid, long maskSize, long mask);

    /**
     * A raw system call, for io_uring, which libc does not wrap; returns -1 and sets errno on
     * failure. Bound as a fixed-argument function: jnr calls variadic ones through a boxing slow
     * path, and with six integer arguments the two conventions agree on x86-64 and arm64.
     */
    @SaveError
    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);

    @IgnoreError
    int geteuid();

    /** Leaves the terminal's session (a daemon survives its terminal closing). */
    @IgnoreError
    int setsid();

    @IgnoreError
    int getegid();

    /** The calling thread's errno after the last {@link SaveError} call on it. */
    static int errno() {
        return jnr.ffi.Runtime.getRuntime(INSTANCE).getLastError();
    }
}
