package dev.thawfs.fs.mirror;

import dev.thawfs.fs.engine.KernelConnection;
import java.nio.file.Path;

/**
 * One source path the kernel knows: its lookup count, and the backing id shared by all its
 * passthrough opens (the kernel refuses a second id for an inode with open files).
 */
final class MirrorNode {
    final long id;
    final Path path;
    private long lookups;
    private boolean forgotten;
    private int backingId;
    private int passthroughOpens;

    MirrorNode(long id, Path path) {
        this.id = id;
        this.path = path;
    }

    /** Counts one more kernel reference; false if the node was just forgotten (make a new one). */
    synchronized boolean reference() {
        if (forgotten) {
            return false;
        }
        lookups++;
        return true;
    }

    /** Drops kernel references; true when none are left and the node must go. */
    synchronized boolean forget(long count) {
        lookups -= count;
        forgotten = lookups <= 0;
        return forgotten;
    }

    /**
     * The backing id for one more passthrough open: the node's current one, or a new one.
     *
     * @return as {@link KernelConnection#openBacking}: an id, 0 for no passthrough, or -errno
     */
    synchronized int openPassthrough(KernelConnection kernel) {
        if (backingId == 0) {
            int id = kernel.openBacking(path);
            if (id <= 0) {
                return id;
            }
            backingId = id;
        }
        passthroughOpens++;
        return backingId;
    }

    /** One passthrough open closed; the last one drops the backing id. */
    synchronized void releasePassthrough(KernelConnection kernel) {
        if (--passthroughOpens == 0) {
            kernel.closeBacking(backingId);
            backingId = 0;
        }
    }

    /** Whether the kernel holds this node's backing file now (some passthrough open is live). */
    synchronized boolean inPassthrough() {
        return backingId != 0;
    }
}
