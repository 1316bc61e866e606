package dev.thawfs.fs.proto;

import java.nio.ByteBuffer;

/**
 * Byte layouts of the kernel structs the engine reads and writes (include/uapi/linux/fuse.h,
 * protocol 7.46 as proposed by the FUSE_PASSTHROUGH_INO series; x86-64, little endian).
 * Offsets are relative to the struct; {@code StructsTest} pins every size and offset.
 */
public final class Structs {
    private Structs() {
    }

    /** struct fuse_in_header. */
    public static final class InHeader {
        public static final int SIZE = 40;
        public static final int LEN = 0;
        public static final int OPCODE = 4;
        public static final int UNIQUE = 8;
        public static final int NODEID = 16;
        public static final int UID = 24;
        public static final int GID = 28;
        public static final int PID = 32;
        public static final int TOTAL_EXTLEN = 36;
    }

    /** struct fuse_out_header; for notifications {@code error} carries the notify code and unique is 0. */
    public static final class OutHeader {
        public static final int SIZE = 16;
        public static final int LEN = 0;
        public static final int ERROR = 4;
        public static final int UNIQUE = 8;

        public static void put(ByteBuffer b, int length, int error, long unique) {
            b.putInt(LEN, length);
            b.putInt(ERROR, error);
            b.putLong(UNIQUE, unique);
        }
    }

    /** struct fuse_init_in: 16 bytes before 7.36, 64 since (flags2 and unused[11]). */
    public static final class InitIn {
        public static final int SIZE = 64;
        public static final int MAJOR = 0;
        public static final int MINOR = 4;
        public static final int MAX_READAHEAD = 8;
        public static final int FLAGS = 12;
        public static final int FLAGS2 = 16;
    }

    /** struct fuse_init_out. */
    public static final class InitOut {
        public static final int SIZE = 64;
        public static final int MAJOR = 0;
        public static final int MINOR = 4;
        public static final int MAX_READAHEAD = 8;
        public static final int FLAGS = 12;
        public static final int MAX_BACKGROUND = 16;
        public static final int CONGESTION_THRESHOLD = 18;
        public static final int MAX_WRITE = 20;
        public static final int TIME_GRAN = 24;
        public static final int MAX_PAGES = 28;
        public static final int MAP_ALIGNMENT = 30;
        public static final int FLAGS2 = 32;
        public static final int MAX_STACK_DEPTH = 36;
        public static final int REQUEST_TIMEOUT = 40;
    }

    /** struct fuse_attr. */
    public static final class Attr {
        public static final int SIZE = 88;
        public static final int INO = 0;
        public static final int FILE_SIZE = 8;
        public static final int BLOCKS = 16;
        public static final int ATIME = 24;
        public static final int MTIME = 32;
        public static final int CTIME = 40;
        public static final int ATIMENSEC = 48;
        public static final int MTIMENSEC = 52;
        public static final int CTIMENSEC = 56;
        public static final int MODE = 60;
        public static final int NLINK = 64;
        public static final int UID = 68;
        public static final int GID = 72;
        public static final int RDEV = 76;
        public static final int BLKSIZE = 80;
        public static final int FLAGS = 84;

        public static void put(ByteBuffer b, int at, FileAttributes a) {
            b.putLong(at + INO, a.ino());
            b.putLong(at + FILE_SIZE, a.size());
            b.putLong(at + BLOCKS, a.blocks());
            b.putLong(at + ATIME, a.atimeSec());
            b.putLong(at + MTIME, a.mtimeSec());
            b.putLong(at + CTIME, a.ctimeSec());
            b.putInt(at + ATIMENSEC, a.atimeNsec());
            b.putInt(at + MTIMENSEC, a.mtimeNsec());
            b.putInt(at + CTIMENSEC, a.ctimeNsec());
            b.putInt(at + MODE, a.mode());
            b.putInt(at + NLINK, a.nlink());
            b.putInt(at + UID, a.uid());
            b.putInt(at + GID, a.gid());
            b.putInt(at + RDEV, a.rdev());
            b.putInt(at + BLKSIZE, a.blksize());
            b.putInt(at + FLAGS, 0);
        }
    }

    /** struct fuse_statx (7.39), bit-for-bit struct statx; each time is {s64 sec; u32 nsec; s32 pad}. */
    public static final class Statx {
        public static final int SIZE = 256;
        public static final int MASK = 0;
        public static final int BLKSIZE = 4;
        public static final int ATTRIBUTES = 8;
        public static final int NLINK = 16;
        public static final int UID = 20;
        public static final int GID = 24;
        public static final int MODE = 28;
        public static final int INO = 32;
        public static final int FILE_SIZE = 40;
        public static final int BLOCKS = 48;
        public static final int ATTRIBUTES_MASK = 56;
        public static final int ATIME = 64;
        public static final int BTIME = 80;
        public static final int CTIME = 96;
        public static final int MTIME = 112;
        public static final int RDEV_MAJOR = 128;
        public static final int RDEV_MINOR = 132;
        public static final int DEV_MAJOR = 136;
        public static final int DEV_MINOR = 140;
        /** STATX_BASIC_STATS: type, mode, nlink, uid, gid, times, ino, size, blocks. */
        public static final int BASIC_STATS = 0x7ff;
        

        public static void put(ByteBuffer b, int at, FileAttributes a) {
            zero(b, at, SIZE);
            b.putInt(at + MASK, BASIC_STATS);
            b.putInt(at + BLKSIZE, a.blksize());
            b.putInt(at + NLINK, a.nlink());
            b.putInt(at + UID, a.uid());
            b.putInt(at + GID, a.gid());
            b.putShort(at + MODE, (short) a.mode());
            b.putLong(at + INO, a.ino());
            b.putLong(at + FILE_SIZE, a.size());
            b.putLong(at + BLOCKS, a.blocks());
            putTime(b, at + ATIME, a.atimeSec(), a.atimeNsec());
            putTime(b, at + CTIME, a.ctimeSec(), a.ctimeNsec());
            putTime(b, at + MTIME, a.mtimeSec(), a.mtimeNsec());
            b.putInt(at + RDEV_MAJOR, FileAttributes.devMajor(a.rdev()));
            b.putInt(at + RDEV_MINOR, FileAttributes.devMinor(a.rdev()));
        }

        private static void putTime(ByteBuffer b, int at, long sec, int nsec) {
            b.putLong(at, sec);
            b.putInt(at + 8, nsec);
        }
    }

    /** struct fuse_entry_out. */
    public static final class EntryOut {
        public static final int SIZE = 128;
        public static final int NODEID = 0;
        public static final int GENERATION = 8;
        public static final int ENTRY_VALID = 16;
        public static final int ATTR_VALID = 24;
        public static final int ENTRY_VALID_NSEC = 32;
        public static final int ATTR_VALID_NSEC = 36;
        public static final int ATTR = 40;

        /** nodeid, generation and the two validities, shared by fuse_entry_out and fuse_entry2_out. */
        static void putIdentity(ByteBuffer b, int at, Entry e) {
            b.putLong(at + NODEID, e.nodeid());
            b.putLong(at + GENERATION, e.generation());
            putValidity(b, at + ENTRY_VALID, at + ENTRY_VALID_NSEC, e.entryValidNanos());
            putValidity(b, at + ATTR_VALID, at + ATTR_VALID_NSEC, e.attrValidNanos());
        }

        public static void put(ByteBuffer b, int at, Entry e) {
            putIdentity(b, at, e);
            if (e.attributes() == null) {
                zero(b, at + ATTR, Attr.SIZE);
            } else {
                Attr.put(b, at + ATTR, e.attributes());
            }
        }
    }

    /** struct fuse_entry2_out (7.46, FUSE_PASSTHROUGH_INO): every entry reply once negotiated. */
    public static final class Entry2Out {
        public static final int SIZE = 312;
        public static final int NODEID = 0;
        public static final int GENERATION = 8;
        public static final int ENTRY_VALID = 16;
        public static final int ATTR_VALID = 24;
        public static final int ENTRY_VALID_NSEC = 32;
        public static final int ATTR_VALID_NSEC = 36;
        public static final int BACKING_ID = 40;
        public static final int FLAGS = 44;
        public static final int RESERVED = 48;
        public static final int STATX = 56;

        public static void put(ByteBuffer b, int at, Entry e) {
            EntryOut.putIdentity(b, at, e); // the first 40 bytes are laid out as in fuse_entry_out
            b.putInt(at + BACKING_ID, e.backingId());
            b.putInt(at + FLAGS, 0); // v2 of the series rejects non-zero flags and reserved
            b.putLong(at + RESERVED, 0);
            if (e.attributes() == null) {
                zero(b, at + STATX, Statx.SIZE);
            } else {
                Statx.put(b, at + STATX, e.attributes());
            }
        }
    }

    /** struct fuse_attr_out. */
    public static final class AttrOut {
        public static final int SIZE = 104;
        public static final int ATTR_VALID = 0;
        public static final int ATTR_VALID_NSEC = 8;
        public static final int ATTR = 16;

        public static void put(ByteBuffer b, int at, FileAttributes a, long validNanos) {
            putValidity(b, at + ATTR_VALID, at + ATTR_VALID_NSEC, validNanos);
            b.putInt(at + 12, 0);
            Attr.put(b, at + ATTR, a);
        }
    }

    /** struct fuse_open_out. */
    public static final class OpenOut {
        public static final int SIZE = 16;
        public static final int FH = 0;
        public static final int OPEN_FLAGS = 8;
        public static final int BACKING_ID = 12;

        public static void put(ByteBuffer b, int at, long fh, int openFlags, int backingId) {
            b.putLong(at + FH, fh);
            b.putInt(at + OPEN_FLAGS, openFlags);
            b.putInt(at + BACKING_ID, backingId);
        }
    }

    /** struct fuse_open_in. */
    public static final class OpenIn {
        public static final int SIZE = 8;
        public static final int FLAGS = 0;
    }

    /** struct fuse_read_in. */
    public static final class ReadIn {
        public static final int SIZE = 40;
        public static final int FH = 0;
        public static final int OFFSET = 8;
        public static final int READ_SIZE = 16;
    }

    /** struct fuse_release_in. */
    public static final class ReleaseIn {
        public static final int SIZE = 24;
        public static final int FH = 0;
        public static final int FLAGS = 8;
    }

    /** struct fuse_forget_in; fuse_batch_forget_in is {u32 count; u32 dummy} then fuse_forget_one[]. */
    public static final class Forget {
        public static final int IN_SIZE = 8;
        public static final int BATCH_IN_SIZE = 8;
        public static final int ONE_SIZE = 16;
    }

    /** struct fuse_getxattr_in / fuse_getxattr_out (both {u32 size; u32 padding}), also LISTXATTR's. */
    public static final class Xattr {
        public static final int IN_SIZE = 8;
        public static final int OUT_SIZE = 8;

        /** The answer to a size-0 query: how large the value is. */
        public static void putSize(ByteBuffer b, int at, int size) {
            b.putInt(at, size);
            b.putInt(at + 4, 0);
        }
    }

    /** struct fuse_kstatfs (= fuse_statfs_out). */
    public static final class Kstatfs {
        public static final int SIZE = 80;

        public static void put(ByteBuffer b, int at, Statfs s) {
            b.putLong(at, s.blocks());
            b.putLong(at + 8, s.blocksFree());
            b.putLong(at + 16, s.blocksAvailable());
            b.putLong(at + 24, s.files());
            b.putLong(at + 32, s.filesFree());
            b.putInt(at + 40, s.blockSize());
            b.putInt(at + 44, s.nameMax());
            b.putInt(at + 48, s.fragmentSize());
            b.putInt(at + 52, 0);
            zero(b, at + 56, SIZE - 56);
        }
    }

    /** struct fuse_dirent: {u64 ino; u64 off; u32 namelen; u32 type; char name[]} padded to 8. */
    public static final class Dirent {
        public static final int HEADER_SIZE = 24;
        public static final int INO = 0;
        public static final int OFF = 8;
        public static final int NAMELEN = 16;
        public static final int TYPE = 20;

        public static int size(int nameLength) {
            return (HEADER_SIZE + nameLength + 7) & ~7;
        }

        /** Puts one entry with its padding zeroed; returns its size. */
        public static int put(ByteBuffer b, int at, byte[] name, long ino, int mode, long nextOffset) {
            int size = size(name.length);
            b.putLong(at + INO, ino);
            b.putLong(at + OFF, nextOffset);
            b.putInt(at + NAMELEN, name.length);
            b.putInt(at + TYPE, (mode & FileAttributes.S_IFMT) >>> 12);
            b.put(at + HEADER_SIZE, name);
            for (int i = at + HEADER_SIZE + name.length; i < at + size; i++) {
                b.put(i, (byte) 0);
            }
            return size;
        }
    }

    /** struct fuse_notify_inval_entry_out, followed by the name and a NUL. */
    public static final class NotifyInvalEntry {
        public static final int SIZE = 16;
        public static final int PARENT = 0;
        public static final int NAMELEN = 8;
        public static final int FLAGS = 12;

        /** Puts the struct, the name and its NUL; returns their length. */
        public static int put(ByteBuffer b, int at, long parent, byte[] name) {
            b.putLong(at + PARENT, parent);
            b.putInt(at + NAMELEN, name.length);
            b.putInt(at + FLAGS, 0);
            b.put(at + SIZE, name);
            b.put(at + SIZE + name.length, (byte) 0);
            return SIZE + name.length + 1;
        }
    }

    /** struct fuse_notify_inval_inode_out. */
    public static final class NotifyInvalInode {
        public static final int SIZE = 24;
        public static final int INO = 0;
        public static final int OFF = 8;
        public static final int LEN = 16;

        public static void put(ByteBuffer b, int at, long nodeid, long offset, long length) {
            b.putLong(at + INO, nodeid);
            b.putLong(at + OFF, offset);
            b.putLong(at + LEN, length);
        }
    }

    /** Zeroes {@code length} bytes (a multiple of 8) from {@code at}. */
    static void zero(ByteBuffer b, int at, int length) {
        for (int i = 0; i < length; i += 8) {
            b.putLong(at + i, 0);
        }
    }

    static void putValidity(ByteBuffer b, int secondsAt, int nanosAt, long nanos) {
        b.putLong(secondsAt, nanos / 1_000_000_000L);
        b.putInt(nanosAt, (int) (nanos % 1_000_000_000L));
    }
}
