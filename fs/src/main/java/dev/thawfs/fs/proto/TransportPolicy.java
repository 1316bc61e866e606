package dev.thawfs.fs.proto;

import java.util.Locale;

/** How requests travel: {@code /dev/fuse} reads and writes, or FUSE over io_uring where the kernel offers it. */
public enum TransportPolicy {
    /** io_uring when the kernel offers it and rings can be made here, else {@code /dev/fuse}. */
    AUTO,
    /** {@code /dev/fuse} only. */
    DEV,
    /** io_uring or no mount. */
    URING;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
