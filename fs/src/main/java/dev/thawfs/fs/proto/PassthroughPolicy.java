package dev.thawfs.fs.proto;

import java.util.Locale;

/** The passthrough a mount asks the kernel for; {@link Negotiation} turns it and the offer into a tier. */
public enum PassthroughPolicy {
    /** The best released tier the kernel offers (B, else C); a refusal later drops to C. */
    AUTO,
    /** Tier C: the daemon serves every read. */
    OFF,
    /** Tier B or no mount. */
    REQUIRE,
    /** Tier A (FUSE_PASSTHROUGH_INO, unmerged) or no mount. */
    INODE,
    /** {@link #INODE} with the kernel opening attached files itself (FUSE_PASSTHROUGH_OP_OPEN). */
    INODE_OPEN;

    boolean wantsInodePassthrough() {
        return this == INODE || this == INODE_OPEN;
    }

    /** As the command line spells it, for messages: {@code auto}, {@code inode-open}, … */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
