package dev.thawfs.fs.proto;

/** FOPEN_* bits of fuse_open_out.open_flags. */
public final class OpenFlags {
    public static final int DIRECT_IO = 1 << 0;
    public static final int KEEP_CACHE = 1 << 1;
    public static final int CACHE_DIR = 1 << 3;
    public static final int PASSTHROUGH = 1 << 7;

    private OpenFlags() {
    }
}
