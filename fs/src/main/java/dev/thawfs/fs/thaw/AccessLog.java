package dev.thawfs.fs.thaw;

/** Where a mount reports each file's first access (for {@code thawfs mount --record}). */
@FunctionalInterface
public interface AccessLog {
    /**
     * A file was accessed for the first time since the mount.
     *
     * @param path the file's path in the mount
     * @param offset where the access starts: 0 for an open that fetches the whole file
     * @param length the bytes it needs: the file's size for such an open, else the first read's size
     * @param millisSinceMount when
     */
    void firstAccess(String path, long offset, long length, long millisSinceMount);
}
