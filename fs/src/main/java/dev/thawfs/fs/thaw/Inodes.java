package dev.thawfs.fs.thaw;

import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import java.util.Optional;

/**
 * How the mount's inodes are numbered and handed to the kernel's passthrough, which differs by
 * tier: per-open backing ids on store node ids (tier B/C), or inode passthrough on the blob
 * files' own inode numbers (tier A).
 */
interface Inodes {

    static Inodes forTier(KernelConnection kernel, LayerTree tree, Store store) {
        return kernel.tier() == PassthroughTier.A
                ? new PlaceholderInodes(tree, store, kernel) : new StoreInodes(tree, store, kernel);
    }

    /** The nodeid for {@code inode}, counting one more kernel reference to it. */
    long expose(LayerTree.Inode inode, long parent, String name);

    Optional<LayerTree.Inode> resolve(long nodeid);

    void forget(long nodeid, long lookups);

    /** The backing id an entry reply attaches to the inode (tier A, content complete), else 0. */
    int entryBackingId(long nodeid, Node node);

    /** How long the kernel may trust an entry: short while a tier A file could still attach. */
    long entryValidNanos(Node node);

    /** The same for READDIRPLUS entries, which can never attach a backing file. */
    long direntValidNanos(Node node);

    /**
     * The backing id for one more passthrough open of a file whose content is complete and pinned
     * by the caller: an id, 0 for no passthrough, or -errno.
     */
    int openPassthrough(long nodeid, Node node);

    void closePassthrough(long nodeid);

    /** Whether the kernel holds the inode's backing file now. */
    boolean attached(long nodeid);

    /**
     * The content of {@code node} is complete and no open stands in the way of attaching it: let
     * the kernel look its names up again, so the lookup attaches the backing file (tier A).
     */
    void attachable(Node node);
}
