package dev.thawfs.fs.thaw;

import dev.thawfs.fs.engine.Backings;
import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import java.util.Optional;

/**
 * Tier B and C: nodeids are store node ids (merged directories have their own), which need no
 * reference counting because the store keeps them; passthrough is per open, one backing id per
 * inode while it has passthrough opens.
 */
final class StoreInodes implements Inodes {
    private final LayerTree tree;
    private final Store store;
    private final KernelConnection kernel;
    private final Backings backings = new Backings();

    StoreInodes(LayerTree tree, Store store, KernelConnection kernel) {
        this.tree = tree;
        this.store = store;
        this.kernel = kernel;
    }

    @Override
    public long expose(LayerTree.Inode inode, long parent, String name) {
        return inode.nodeid();
    }

    @Override
    public Optional<LayerTree.Inode> resolve(long nodeid) {
        return tree.inode(nodeid);
    }

    @Override
    public void forget(long nodeid, long lookups) {
    }

    @Override
    public int entryBackingId(long nodeid, Node node) {
        return 0;
    }

    @Override
    public long entryValidNanos(Node node) {
        return ThawFilesystem.VALIDITY_NANOS;
    }

    @Override
    public long direntValidNanos(Node node) {
        return ThawFilesystem.VALIDITY_NANOS;
    }

    @Override
    public int openPassthrough(long nodeid, Node node) {
        return backings.acquire(kernel, nodeid, store.blobPath(node));
    }

    @Override
    public void closePassthrough(long nodeid) {
        backings.release(kernel, nodeid);
    }

    @Override
    public boolean attached(long nodeid) {
        return backings.attached(nodeid);
    }

    @Override
    public void attachable(Node node) {
    }
}
