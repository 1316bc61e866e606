package dev.thawfs.config;

/** How FUSE requests travel between the kernel and the daemon (DESIGN.md, engine). */
public enum TransportMode {
    /** FUSE over io_uring when the kernel offers it (Linux 6.14+, fuse.enable_uring=1), else /dev/fuse. */
    AUTO,
    /** /dev/fuse reads and writes only. */
    DEV,
    /** FUSE over io_uring, or the mount fails with the reason. */
    URING
}
