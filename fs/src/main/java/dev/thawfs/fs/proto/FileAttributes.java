package dev.thawfs.fs.proto;

import java.nio.ByteBuffer;

/**
 * What {@code stat} shows of one inode. Times are seconds plus nanoseconds since the epoch;
 * {@code rdev} is the kernel's user-space encoding ({@code new_encode_dev}).
 */
public record FileAttributes(
        long ino,
        int mode,
        int nlink,
        int uid,
        int gid,
        long size,
        long blocks,
        int blksize,
        int rdev,
        long atimeSec,
        int atimeNsec,
        long mtimeSec,
        int mtimeNsec,
        long ctimeSec,
        int ctimeNsec) {

    public static final int S_IFMT = 0170000;
    public static final int S_IFDIR = 0040000;
    public static final int S_IFREG = 0100000;
    public static final int S_IFLNK = 0120000;

    public int type() {
        return mode & S_IFMT;
    }

    public boolean isDirectory() {
        return type() == S_IFDIR;
    }

    public boolean isRegularFile() {
        return type() == S_IFREG;
    }

    public boolean isSymlink() {
        return type() == S_IFLNK;
    }

    /** Decodes a {@code struct statx}, whose layout {@code struct fuse_statx} copies bit for bit. */
    public static FileAttributes fromStatx(ByteBuffer b, int at) {
        return new FileAttributes(
                b.getLong(at + Structs.Statx.INO),
                Short.toUnsignedInt(b.getShort(at + Structs.Statx.MODE)),
                b.getInt(at + Structs.Statx.NLINK),
                b.getInt(at + Structs.Statx.UID),
                b.getInt(at + Structs.Statx.GID),
                b.getLong(at + Structs.Statx.FILE_SIZE),
                b.getLong(at + Structs.Statx.BLOCKS),
                b.getInt(at + Structs.Statx.BLKSIZE),
                encodeDev(b.getInt(at + Structs.Statx.RDEV_MAJOR), b.getInt(at + Structs.Statx.RDEV_MINOR)),
                b.getLong(at + Structs.Statx.ATIME),
                b.getInt(at + Structs.Statx.ATIME + 8),
                b.getLong(at + Structs.Statx.MTIME),
                b.getInt(at + Structs.Statx.MTIME + 8),
                b.getLong(at + Structs.Statx.CTIME),
                b.getInt(at + Structs.Statx.CTIME + 8));
    }

    static int encodeDev(int major, int minor) {
        return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12);
    }

    static int devMajor(int dev) {
        return (dev >>> 8) & 0xfff;
    }

    static int devMinor(int dev) {
        return (dev & 0xff) | ((dev >>> 12) & ~0xff);
    }
}
