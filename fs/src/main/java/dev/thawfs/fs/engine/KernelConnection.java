package dev.thawfs.fs.engine;

import dev.thawfs.fs.proto.PassthroughTier;
import java.nio.file.Path;

/** What a filesystem may ask of the kernel once mounted: backing files and cache invalidation. */
public interface KernelConnection {

    /** The tier in force; it only ever goes down (from B to C when the kernel refuses a backing file). */
    PassthroughTier tier();

    /**
     * Registers {@code file} as a passthrough backing file.
     *
     * @return a positive backing id; 0 when passthrough is off or was just given up (the caller
     *     serves the file itself); or -errno when this file cannot be opened
     */
    int openBacking(Path file);

    /** Drops a backing id once no open (tier B) or inode (tier A) uses it. */
    void closeBacking(int backingId);

    /** Backing ids registered now and not yet closed. */
    int backingIds();

    /** Drops the kernel's dentry for {@code name} in {@code parent}; false if the kernel had none. */
    boolean invalidateEntry(long parent, String name);

    /** Drops cached attributes and the byte range of {@code nodeid}'s page cache (length 0: all). */
    boolean invalidateInode(long nodeid, long offset, long length);
}
