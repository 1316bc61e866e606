package dev.thawfs.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.SaveError;

/**
 * syncfs(2) of the filesystem holding the store: one call makes every blob written since the
 * last one durable, data, directory entries and attributes alike. A group commit pays it once
 * for a whole batch of small files instead of an fsync per file.
 */
final class FilesystemSync implements AutoCloseable {

    /** The libc calls this needs. */
    public interface C {
        @SaveError
        int open(@In byte[] path, int flags);

        @SaveError
        int syncfs(int fd);

        int close(int fd);
    }

    private static final C LIBC = LibraryLoader.create(C.class).load("c");
    private static final int O_RDONLY_CLOEXEC = 0x80000;

    private final Path root;
    private final int fd;

    FilesystemSync(Path root) {
        this.root = root;
        byte[] path = root.toString().getBytes(StandardCharsets.UTF_8);
        this.fd = LIBC.open(Arrays.copyOf(path, path.length + 1), O_RDONLY_CLOEXEC);
        if (fd < 0) {
            throw new StoreException("cannot open the store directory " + root + " (errno " + errno() + ")");
        }
    }

    /** Returns once everything written to the store's filesystem so far is on disk. */
    void sync() {
        if (LIBC.syncfs(fd) < 0) {
            throw new StoreException("syncing the store's filesystem (" + root + ") failed (errno " + errno() + ")");
        }
    }

    private static int errno() {
        return jnr.ffi.Runtime.getRuntime(LIBC).getLastError();
    }

    @Override
    public void close() {
        LIBC.close(fd);
    }
}
