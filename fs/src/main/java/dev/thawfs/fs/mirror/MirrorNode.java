package dev.thawfs.fs.mirror;

import java.nio.file.Path;

/** One source path the kernel knows, and how many references the kernel holds to it. */
final class MirrorNode {
    final long id;
    final Path path;
    private long lookups;
    private boolean forgotten;

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
}
