package dev.thawfs.fs.proto;

/**
 * FUSE_INIT capability bits as one 64-bit set: bits 32..63 travel in {@code flags2} on the wire
 * and only when {@link #INIT_EXT} is set in {@code flags}.
 */
public final class InitFlags {
    public static final long ASYNC_READ = 1L << 0;
    public static final long DO_READDIRPLUS = 1L << 13;
    public static final long READDIRPLUS_AUTO = 1L << 14;
    public static final long ASYNC_DIO = 1L << 15;
    /** Never negotiated: the kernel refuses passthrough with it. */
    public static final long WRITEBACK_CACHE = 1L << 16;
    public static final long PARALLEL_DIROPS = 1L << 18;
    public static final long MAX_PAGES = 1L << 22;
    public static final long CACHE_SYMLINKS = 1L << 23;
    /** Negotiated for forward compatibility: v2 of the INO series requires it. */
    public static final long HANDLE_KILLPRIV_V2 = 1L << 28;
    public static final long INIT_EXT = 1L << 30;
    public static final long HAS_EXPIRE_ONLY = 1L << 35;
    /**
     * Shared mmap of FOPEN_DIRECT_IO files (Linux 6.6+). Such a mapping puts the inode in cached
     * mode without the daemon knowing, so a file with direct-io opens is never passed through.
     */
    public static final long DIRECT_IO_ALLOW_MMAP = 1L << 36;
    /** Per-open passthrough (Linux 6.9+, protocol 7.40): tier B. */
    public static final long PASSTHROUGH = 1L << 37;
    /** FUSE requests over io_uring queues, one per CPU (Linux 6.14+, offered with fuse.enable_uring=1). */
    public static final long OVER_IO_URING = 1L << 41;
    /**
     * Inode passthrough: tier A, opt-in. The unmerged series proposed bit 43 and 7.46, which
     * mainline gave to io-uring (FUSE_HAS_IO_URING_BUFPOOL); the one kernel carrying the series
     * (7.3.4 rebased, shared/kernels) uses bit 44 and protocol 7.47.
     */
    public static final long PASSTHROUGH_INO = 1L << 44;

    private InitFlags() {
    }
}
