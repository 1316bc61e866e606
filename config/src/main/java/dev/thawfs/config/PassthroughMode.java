package dev.thawfs.config;

import java.util.Locale;

/** How a mount uses FUSE passthrough (DESIGN.md, capability tiers). */
public enum PassthroughMode {
    /** Use the best tier the kernel offers; fall back a tier, with one log line, when it refuses. */
    AUTO,
    /** Never pass through: the daemon serves every read (tier C). */
    OFF,
    /** Fail the mount, with the reason, unless per-open passthrough (tier B) works. */
    REQUIRE,
    /**
     * Experimental: inode passthrough (tier A) with the ABI of the unmerged FUSE_PASSTHROUGH_INO
     * series as rebased on Linux 7.3.4 (protocol 7.47, INIT bit 44). Never chosen by {@link #AUTO},
     * since released kernels give those numbers other meanings; the mount fails on a kernel that
     * does not offer it.
     */
    INODE,
    /**
     * Experimental: {@link #INODE} plus v1's open passthrough (FUSE_PASSTHROUGH_OP_OPEN): the kernel
     * opens an attached file's backing file itself, so a warm open costs the daemon no request.
     * The series' next version drops open passthrough.
     */
    INODE_OPEN;

    /** Whether the mount asks for inode passthrough (tier A). */
    public boolean wantsInodePassthrough() {
        return this == INODE || this == INODE_OPEN;
    }

    /** Parses {@code auto}, {@code off}, {@code require}, {@code inode} or {@code inode-open} (any case). */
    public static PassthroughMode parse(String text) {
        for (PassthroughMode mode : values()) {
            if (mode.toString().equalsIgnoreCase(text.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                "passthrough: '" + text + "' is not one of auto, off, require, inode, inode-open");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
