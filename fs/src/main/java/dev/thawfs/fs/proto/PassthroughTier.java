package dev.thawfs.fs.proto;

/** What the kernel lets the daemon hand over once a file is local (DESIGN.md, capability tiers). */
public enum PassthroughTier {
    /** FUSE_PASSTHROUGH_INO: a backing file attached to the inode from the lookup on. */
    A("inode passthrough (FUSE_PASSTHROUGH_INO)"),
    /** FUSE_PASSTHROUGH: each open gets the backing file; the kernel reads it directly. */
    B("per-open passthrough (FUSE_PASSTHROUGH)"),
    /** No passthrough: the daemon serves reads, the kernel keeps its page cache. */
    C("no passthrough: reads served by the daemon");

    private final String description;

    PassthroughTier(String description) {
        this.description = description;
    }

    public boolean passesThrough() {
        return this != C;
    }

    public String description() {
        return description;
    }
}
