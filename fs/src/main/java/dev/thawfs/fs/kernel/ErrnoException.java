package dev.thawfs.fs.kernel;

/** A failed system call; stackless, because ENOENT on lookup is routine, not exceptional. */
public final class ErrnoException extends Exception {
    private final int errno;

    public ErrnoException(int errno, String message) {
        super(message, null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
