package dev.thawfs.fs.proto;

/** What {@code statfs}/{@code df} reports for a mount; block counts are in units of {@code frsize}. */
public record Statfs(
        long blocks, long blocksFree, long blocksAvailable, long files, long filesFree,
        int blockSize, int nameMax, int fragmentSize) {

    /** Decodes glibc's x86-64 {@code struct statvfs}. */
    public static Statfs fromStatvfs(java.nio.ByteBuffer b) {
        return new Statfs(b.getLong(16), b.getLong(24), b.getLong(32), b.getLong(40), b.getLong(48),
                (int) b.getLong(0), (int) b.getLong(80), (int) b.getLong(8));
    }
}
