package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;

/**
 * A read-only, inode-based FUSE filesystem. Each call that takes a {@link FuseRequest} must answer
 * it exactly once, now or later from any thread, so slow work never holds a worker. Calls without
 * a request are notifications; the engine answers them itself where the protocol wants an answer.
 * Requests that would write never reach the filesystem: the engine answers them EROFS.
 */
public interface FuseFilesystem {

    /** Called once after FUSE_INIT, before any request. */
    default void init(KernelConnection kernel) {
    }

    /** Whether to negotiate READDIRPLUS (the kernel then calls {@link #readdirplus} too). */
    default boolean supportsReaddirplus() {
        return false;
    }

    /** Answer {@link FuseRequest#replyEntry}; each positive answer adds one kernel reference to the node. */
    void lookup(FuseRequest request, long parent, String name);

    /** The kernel dropped {@code lookups} references to {@code nodeid}. */
    default void forget(long nodeid, long lookups) {
    }

    void getattr(FuseRequest request, long nodeid);

    /** Answer {@link FuseRequest#replyOpen}. Only read-only opens arrive here. */
    void open(FuseRequest request, long nodeid, int flags);

    /** Reads of files opened without passthrough. */
    void read(FuseRequest request, long nodeid, long fh, long offset, int size);

    /** The last close of an open; also called when the kernel dropped an open before its reply arrived. */
    void release(long nodeid, long fh);

    void opendir(FuseRequest request, long nodeid, int flags);

    /** Answer with {@link FuseRequest#replyDirectory}; offsets are the filesystem's own cookies. */
    void readdir(FuseRequest request, long nodeid, long fh, long offset, int size);

    /** Like readdir with entries; each entry added counts as one lookup of its node. */
    default void readdirplus(FuseRequest request, long nodeid, long fh, long offset, int size) {
        request.replyError(Errno.ENOSYS);
    }

    void releasedir(long nodeid, long fh);

    void statfs(FuseRequest request, long nodeid);

    void readlink(FuseRequest request, long nodeid);

    /** Answer with {@link FuseRequest#replyXattr} or ENODATA. */
    default void getxattr(FuseRequest request, long nodeid, String name, int size) {
        request.replyError(Errno.ENODATA);
    }

    default void listxattr(FuseRequest request, long nodeid, int size) {
        request.replyXattr(new byte[0], size);
    }

    /** With default_permissions the kernel checks modes itself; write access never gets here. */
    default void access(FuseRequest request, long nodeid, int mask) {
        request.replyEmpty();
    }

    /** The connection ended (unmounted); called once. */
    default void destroy() {
    }
}
