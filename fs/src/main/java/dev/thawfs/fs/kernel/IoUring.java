package dev.thawfs.fs.kernel;

import com.kenai.jffi.MemoryIO;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.CompletableFuture;

/**
 * One io_uring with 128-byte submission entries (what {@code IORING_OP_URING_CMD} commands to
 * {@code /dev/fuse} need), driven by a single thread: it fills entries, then submits them and
 * waits for completions in one {@code io_uring_enter}. The rings are shared with the kernel, so
 * their head and tail indexes are read with acquire and written with release semantics.
 */
public final class IoUring implements AutoCloseable {
    public static final int OP_READ = 22;
    public static final int OP_URING_CMD = 46;
    /** Where a URING_CMD's 80 bytes of command start in its entry. */
    public static final int SQE_CMD = 48;
    static final int SQE_SIZE = 128;
    static final int SETUP_SQE128 = 1 << 10;
    static final int FEAT_SINGLE_MMAP = 1;
    static final int ENTER_GETEVENTS = 1;
    static final long OFF_SQ_RING = 0;
    static final long OFF_CQ_RING = 0x8000000L;
    static final long OFF_SQES = 0x10000000L;
    static final int PARAMS_SIZE = 120;
    static final int CQE_SIZE = 16;
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final Libc libc = Libc.INSTANCE;
    private final int fd;
    private final ByteBuffer sqRing;
    private final ByteBuffer cqRing;
    private final ByteBuffer sqes;
    private final long[] mappings;
    private final int sqMask;
    private final int sqEntries;
    private final int cqMask;
    private final int sqHead;
    private final int sqTail;
    private final int cqHead;
    private final int cqTail;
    private final int cqes;
    private int tail;
    private int unsubmitted;

    private IoUring(int fd, ByteBuffer params, long[] mappings, ByteBuffer sqRing, ByteBuffer cqRing, ByteBuffer sqes) {
        this.fd = fd;
        this.mappings = mappings;
        this.sqRing = sqRing;
        this.cqRing = cqRing;
        this.sqes = sqes;
        this.sqEntries = params.getInt(0);
        this.sqHead = params.getInt(40);
        this.sqTail = params.getInt(44);
        this.sqMask = sqRing.getInt(params.getInt(48));
        this.cqHead = params.getInt(80);
        this.cqTail = params.getInt(84);
        this.cqMask = cqRing.getInt(params.getInt(88));
        this.cqes = params.getInt(100);
        int array = params.getInt(64);
        for (int i = 0; i < sqEntries; i++) {
            sqRing.putInt(array + 4 * i, i); // slot i submits entry i, always
        }
        this.tail = (int) INT.getAcquire(sqRing, sqTail);
    }

    /** A ring of at least {@code entries} submission entries (the kernel rounds up to a power of two). */
    public static IoUring create(int entries) throws IOException {
        Libc libc = Libc.INSTANCE;
        NativeBuffer params = NativeBuffer.allocate(PARAMS_SIZE);
        params.buffer().putInt(8, SETUP_SQE128);
        int fd = (int) libc.syscall(Libc.SYS_IO_URING_SETUP, entries, params.address(), 0, 0, 0, 0);
        if (fd < 0) {
            throw new IOException("io_uring_setup failed: " + Errno.describe(Libc.errno()));
        }
        ByteBuffer p = params.buffer();
        long sqSize = p.getInt(64) + 4L * p.getInt(0);
        long cqSize = p.getInt(100) + (long) CQE_SIZE * p.getInt(4);
        try {
            long sq;
            long cq;
            long[] mappings;
            if ((p.getInt(20) & FEAT_SINGLE_MMAP) != 0) {
                sqSize = Math.max(sqSize, cqSize);
                cqSize = sqSize;
                sq = map(fd, sqSize, OFF_SQ_RING);
                cq = sq;
                mappings = new long[] {sq, sqSize, 0, 0, 0, 0};
            } else {
                sq = map(fd, sqSize, OFF_SQ_RING);
                cq = map(fd, cqSize, OFF_CQ_RING);
                mappings = new long[] {sq, sqSize, cq, cqSize, 0, 0};
            }
            long sqesSize = (long) SQE_SIZE * p.getInt(0);
            long sqes = map(fd, sqesSize, OFF_SQES);
            mappings[4] = sqes;
            mappings[5] = sqesSize;
            return new IoUring(fd, p, mappings, wrap(sq, sqSize), wrap(cq, cqSize), wrap(sqes, sqesSize));
        } catch (IOException e) {
            libc.close(fd);
            throw e;
        }
    }

    /** Null if this process can make an io_uring, else why not (io_uring_disabled, seccomp, old kernel). */
    public static String unusableReason() {
        // On a thread of its own: closing a ring leaves task work on the thread that made it, which
        // interrupts that thread's next FUSE request (the kernel sends INTERRUPT and restarts the
        // call), and the mounting thread may be the first to use the mount.
        CompletableFuture<String> reason = new CompletableFuture<>();
        new Thread(() -> {
            try (IoUring ring = create(2)) {
                reason.complete(null);
            } catch (IOException e) {
                reason.complete(e.getMessage());
            } catch (RuntimeException e) {
                reason.completeExceptionally(e);
            }
        }, "thawfs-io_uring-probe").start();
        return reason.join();
    }

    private static long map(int fd, long size, long offset) throws IOException {
        long address = Libc.INSTANCE.syscall(Libc.SYS_MMAP, 0, size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED,
                fd, offset);
        if (address == -1) {
            throw new IOException("mapping an io_uring failed: " + Errno.describe(Libc.errno()));
        }
        return address;
    }

    private static ByteBuffer wrap(long address, long size) {
        return MemoryIO.getInstance().newDirectByteBuffer(address, (int) size).order(ByteOrder.nativeOrder());
    }

    /**
     * The next free submission entry, zeroed: the caller fills it through {@link #sqes()} at the
     * returned offset; it goes to the kernel with the next {@link #submitAndWait}. -1 when full.
     */
    public int nextEntry() {
        if (tail - (int) INT.getAcquire(sqRing, sqHead) >= sqEntries) {
            return -1;
        }
        int at = (tail & sqMask) * SQE_SIZE;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.putLong(at + i, 0);
        }
        tail++;
        unsubmitted++;
        return at;
    }

    /** The submission entries, to fill at offsets from {@link #nextEntry}. */
    public ByteBuffer sqes() {
        return sqes;
    }

    /** Submits what was filled and waits until {@code minComplete} completions are ready; 0 or -errno. */
    public int submitAndWait(int minComplete) {
        INT.setRelease(sqRing, sqTail, tail);
        long n = libc.syscall(Libc.SYS_IO_URING_ENTER, fd, unsubmitted, minComplete,
                minComplete > 0 ? ENTER_GETEVENTS : 0, 0, 0);
        if (n < 0) {
            return -Libc.errno();
        }
        unsubmitted -= (int) n;
        return 0;
    }

    /** Entries filled but not yet taken by the kernel. */
    public int unsubmitted() {
        return unsubmitted;
    }

    /** Completions ready now, from the head on. */
    public int ready() {
        return (int) INT.getAcquire(cqRing, cqTail) - (int) INT.getAcquire(cqRing, cqHead);
    }

    /** The user data of the {@code i}-th ready completion. */
    public long userData(int i) {
        return cqRing.getLong(cqeAt(i));
    }

    /** The result of the {@code i}-th ready completion. */
    public int result(int i) {
        return cqRing.getInt(cqeAt(i) + 8);
    }

    private int cqeAt(int i) {
        int head = (int) INT.getAcquire(cqRing, cqHead);
        return cqes + ((head + i) & cqMask) * CQE_SIZE;
    }

    /** Hands {@code count} completions back to the kernel. */
    public void consume(int count) {
        INT.setRelease(cqRing, cqHead, (int) INT.getAcquire(cqRing, cqHead) + count);
    }

    @Override
    public void close() {
        for (int i = 0; i < mappings.length; i += 2) {
            if (mappings[i] != 0) {
                libc.munmap(mappings[i], mappings[i + 1]);
            }
        }
        libc.close(fd);
    }
}
