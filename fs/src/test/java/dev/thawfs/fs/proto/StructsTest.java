package dev.thawfs.fs.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * Pins every struct's size and field offsets to include/uapi/linux/fuse.h (7.45, plus the 7.46
 * structs of the FUSE_PASSTHROUGH_INO series as laid out by gcc on x86-64). A wrong size turns
 * every reply of that kind into EIO, so these numbers are copied from the header, not derived.
 */
class StructsTest {

    @Test
    void headers() {
        assertEquals(40, Structs.InHeader.SIZE);
        assertEquals(0, Structs.InHeader.LEN);
        assertEquals(4, Structs.InHeader.OPCODE);
        assertEquals(8, Structs.InHeader.UNIQUE);
        assertEquals(16, Structs.InHeader.NODEID);
        assertEquals(24, Structs.InHeader.UID);
        assertEquals(28, Structs.InHeader.GID);
        assertEquals(32, Structs.InHeader.PID);
        assertEquals(36, Structs.InHeader.TOTAL_EXTLEN);
        assertEquals(16, Structs.OutHeader.SIZE);
        assertEquals(4, Structs.OutHeader.ERROR);
        assertEquals(8, Structs.OutHeader.UNIQUE);
    }

    @Test
    void init() {
        assertEquals(64, Structs.InitIn.SIZE);
        assertEquals(12, Structs.InitIn.FLAGS);
        assertEquals(16, Structs.InitIn.FLAGS2);
        assertEquals(64, Structs.InitOut.SIZE);
        assertEquals(8, Structs.InitOut.MAX_READAHEAD);
        assertEquals(12, Structs.InitOut.FLAGS);
        assertEquals(16, Structs.InitOut.MAX_BACKGROUND);
        assertEquals(18, Structs.InitOut.CONGESTION_THRESHOLD);
        assertEquals(20, Structs.InitOut.MAX_WRITE);
        assertEquals(24, Structs.InitOut.TIME_GRAN);
        assertEquals(28, Structs.InitOut.MAX_PAGES);
        assertEquals(30, Structs.InitOut.MAP_ALIGNMENT);
        assertEquals(32, Structs.InitOut.FLAGS2);
        assertEquals(36, Structs.InitOut.MAX_STACK_DEPTH);
        assertEquals(40, Structs.InitOut.REQUEST_TIMEOUT);
    }

    @Test
    void attributeAndEntryReplies() {
        assertEquals(88, Structs.Attr.SIZE);
        assertEquals(48, Structs.Attr.ATIMENSEC);
        assertEquals(60, Structs.Attr.MODE);
        assertEquals(80, Structs.Attr.BLKSIZE);
        assertEquals(84, Structs.Attr.FLAGS);
        assertEquals(104, Structs.AttrOut.SIZE);
        assertEquals(16, Structs.AttrOut.ATTR);
        assertEquals(128, Structs.EntryOut.SIZE);
        assertEquals(32, Structs.EntryOut.ENTRY_VALID_NSEC);
        assertEquals(40, Structs.EntryOut.ATTR);
        assertEquals(Structs.EntryOut.SIZE, Structs.EntryOut.ATTR + Structs.Attr.SIZE);
    }

    @Test
    void passthroughInoStructs() {
        assertEquals(256, Structs.Statx.SIZE);
        assertEquals(28, Structs.Statx.MODE);
        assertEquals(32, Structs.Statx.INO);
        assertEquals(40, Structs.Statx.FILE_SIZE);
        assertEquals(64, Structs.Statx.ATIME);
        assertEquals(80, Structs.Statx.BTIME);
        assertEquals(96, Structs.Statx.CTIME);
        assertEquals(112, Structs.Statx.MTIME);
        assertEquals(128, Structs.Statx.RDEV_MAJOR);
        assertEquals(140, Structs.Statx.DEV_MINOR);
        assertEquals(312, Structs.Entry2Out.SIZE);
        assertEquals(40, Structs.Entry2Out.BACKING_ID);
        assertEquals(44, Structs.Entry2Out.FLAGS);
        assertEquals(48, Structs.Entry2Out.RESERVED);
        assertEquals(56, Structs.Entry2Out.STATX);
        assertEquals(Structs.Entry2Out.SIZE, Structs.Entry2Out.STATX + Structs.Statx.SIZE);
    }

    @Test
    void requestArgumentsAndSmallReplies() {
        assertEquals(16, Structs.OpenOut.SIZE);
        assertEquals(8, Structs.OpenOut.OPEN_FLAGS);
        assertEquals(12, Structs.OpenOut.BACKING_ID);
        assertEquals(8, Structs.OpenIn.SIZE);
        assertEquals(40, Structs.ReadIn.SIZE);
        assertEquals(16, Structs.ReadIn.READ_SIZE);
        assertEquals(24, Structs.ReleaseIn.SIZE);
        assertEquals(16, Structs.Forget.ONE_SIZE);
        assertEquals(80, Structs.Kstatfs.SIZE);
        assertEquals(24, Structs.Dirent.HEADER_SIZE);
        assertEquals(16, Structs.NotifyInvalEntry.SIZE);
        assertEquals(24, Structs.NotifyInvalInode.SIZE);
    }

    @Test
    void direntsArePaddedToEightBytes() {
        assertEquals(32, Structs.Dirent.size(1));
        assertEquals(32, Structs.Dirent.size(8));
        assertEquals(40, Structs.Dirent.size(9));
    }

    @Test
    void entry2CarriesTheBackingIdAndStatxWithZeroedReservedFields() {
        ByteBuffer b = ByteBuffer.allocate(Structs.Entry2Out.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0x5a);
        }
        FileAttributes a = new FileAttributes(4242, 0100644, 2, 1000, 1001, 123456789L, 241, 4096, 0,
                1_600_000_000L, 1, 1_700_000_000L, 999_999_999, 1_650_000_000L, 7);
        Structs.Entry2Out.put(b, 0, new Entry(4242, 3, 1_500_000_000L, 2_000_000_000L, a, 17));

        assertEquals(4242, b.getLong(0));
        assertEquals(3, b.getLong(8));
        assertEquals(1, b.getLong(16));
        assertEquals(2, b.getLong(24));
        assertEquals(500_000_000, b.getInt(32));
        assertEquals(0, b.getInt(36));
        assertEquals(17, b.getInt(40));
        assertEquals(0, b.getInt(44));
        assertEquals(0, b.getLong(48));
        int sx = Structs.Entry2Out.STATX;
        assertEquals(Structs.Statx.BASIC_STATS, b.getInt(sx));
        assertEquals((short) 0100644, b.getShort(sx + 28));
        assertEquals(4242, b.getLong(sx + 32));
        assertEquals(123456789L, b.getLong(sx + 40));
        assertEquals(1_700_000_000L, b.getLong(sx + 112));
        assertEquals(999_999_999, b.getInt(sx + 120));
        assertEquals(0, b.getLong(sx + 248), "spare fields must be zero");
        assertEquals(a, FileAttributes.fromStatx(b, sx), "fuse_statx is bit-for-bit struct statx");
    }

    @Test
    void attrEncodesEveryField() {
        ByteBuffer b = ByteBuffer.allocate(Structs.Attr.SIZE).order(ByteOrder.LITTLE_ENDIAN);
        FileAttributes a = new FileAttributes(9, 040755, 3, 5, 6, 4096, 8, 512, FileAttributes.encodeDev(8, 300),
                11, 12, 13, 14, 15, 16);
        Structs.Attr.put(b, 0, a);
        long[] longs = {9, 4096, 8, 11, 13, 15};
        for (int i = 0; i < longs.length; i++) {
            assertEquals(longs[i], b.getLong(i * 8));
        }
        int[] ints = {12, 14, 16, 040755, 3, 5, 6, FileAttributes.encodeDev(8, 300), 512, 0};
        for (int i = 0; i < ints.length; i++) {
            assertEquals(ints[i], b.getInt(48 + i * 4));
        }
        assertEquals(8, FileAttributes.devMajor(a.rdev()));
        assertEquals(300, FileAttributes.devMinor(a.rdev()));
    }
}
