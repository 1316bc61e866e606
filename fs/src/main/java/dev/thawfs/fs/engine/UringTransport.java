package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Cpus;
import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.FuseDevice;
import dev.thawfs.fs.kernel.IoUring;
import dev.thawfs.fs.kernel.Libc;
import dev.thawfs.fs.kernel.NativeBuffer;
import dev.thawfs.fs.proto.Negotiation;
import dev.thawfs.fs.proto.Structs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * FUSE over io_uring (Linux 6.14+ with {@code fuse.enable_uring=1}): the kernel keeps one queue
 * per possible CPU and hands a request to the queue of the CPU that made it. Each queue is
 * served by a worker pinned to that CPU, with its own ring of entries (a header buffer and a
 * payload buffer each), so a request is answered where it was made and one
 * {@code io_uring_enter} commits a reply and waits for the next request.
 *
 * <p>Forgets, interrupts and notifications still travel over {@code /dev/fuse}, and so does
 * everything until every queue has registered an entry: the workers beyond the queues read it.
 * A request parked by its filesystem keeps its entry until answered; an answer from another
 * thread is handed to the queue's worker, woken through an eventfd, since only the ring's own
 * thread submits to it. The kernel says no to a commit at once, in the {@code io_uring_enter}
 * that submits it: the answer's request is told ({@link FuseRequest#refused}) and the entry
 * registers again, so a queue never loses entries to refused answers.
 */
final class UringTransport implements Transport {
    private static final System.Logger LOG = System.getLogger(UringTransport.class.getName());
    /** Entries per queue of an online CPU: requests in flight there, parked ones included. */
    static final int ENTRIES_PER_QUEUE = 8;
    /** Workers reading {@code /dev/fuse} besides the queues': forgets and interrupts must never wait. */
    static final int DEVICE_READERS = 2;
    private static final int REGISTER = 1;
    private static final int COMMIT_AND_FETCH = 2;
    /** struct fuse_uring_req_header: in_out[128], op_in[128], fuse_uring_ent_in_out (32 bytes). */
    private static final int HEADERS_SIZE = 288;
    private static final int OP_IN = 128;
    private static final int PAYLOAD_SZ = 256 + 16;
    /** fuse_uring_cmd_req in the SQE's command area: flags, commit_id, qid. */
    private static final int CMD_COMMIT_ID = IoUring.SQE_CMD + 8;
    private static final int CMD_QID = IoUring.SQE_CMD + 16;
    private static final long WAKEUP = -1;

    private final FuseDevice device;
    private final int queueCount;
    private final BitSet online;
    private final int payloadSize = Math.max(Negotiation.MAX_WRITE, Negotiation.MAX_PAGES * 4096);
    private final AtomicInteger nextQueue = new AtomicInteger();
    private final ThreadLocal<RingQueue> served = ThreadLocal.withInitial(this::claimQueue);
    /** The queue the calling thread owns, if any: looked up without claiming one. */
    private final ThreadLocal<RingQueue> owned = new ThreadLocal<>();
    private final AtomicReferenceArray<RingQueue> queues;
    /** Set when a queue could not register: every worker reads {@code /dev/fuse} from then on. */
    private final AtomicBoolean fellBack = new AtomicBoolean();
    private volatile boolean ended;

    private UringTransport(FuseDevice device, int queueCount, BitSet online) {
        this.device = device;
        this.queueCount = queueCount;
        this.online = online;
        this.queues = new AtomicReferenceArray<>(queueCount);
    }

    /** For a connection whose FUSE_INIT accepted FUSE_OVER_IO_URING. */
    static UringTransport open(FuseDevice device) throws IOException {
        return new UringTransport(device, Cpus.possible().cardinality(), Cpus.online());
    }

    /** Workers to start: one per queue and the {@code /dev/fuse} readers. */
    int workers() {
        return queueCount + DEVICE_READERS;
    }

    int queues() {
        return queueCount;
    }

    /** Whether requests travel over the rings (false once it fell back to {@code /dev/fuse}). */
    boolean inUse() {
        return !fellBack.get();
    }

    /** The first workers to ask take a queue each; the rest read {@code /dev/fuse}. */
    private RingQueue claimQueue() {
        int qid = nextQueue.getAndIncrement();
        if (qid >= queueCount || fellBack.get()) {
            return null;
        }
        try {
            RingQueue queue = new RingQueue(qid, online.get(qid) ? ENTRIES_PER_QUEUE : 1);
            queues.set(qid, queue);
            owned.set(queue);
            return queue;
        } catch (IOException e) {
            fallBack("queue " + qid + ": " + e.getMessage());
            return null;
        }
    }

    private void fallBack(String reason) {
        if (fellBack.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "FUSE over io_uring not used (" + reason
                    + "): requests go through /dev/fuse");
            wakeAll();
        }
    }

    private void wakeAll() {
        for (int qid = 0; qid < queueCount; qid++) {
            RingQueue queue = queues.get(qid);
            if (queue != null) {
                queue.wake();
            }
        }
    }

    @Override
    public int receive(NativeBuffer into) {
        RingQueue queue = served.get();
        if (queue != null) {
            int length = queue.next(into);
            if (length != -Errno.EAGAIN) {
                return length;
            }
            served.set(null); // fell back: this worker reads /dev/fuse from now on
        }
        int length = device.read(into);
        if (length == -Errno.ENODEV && !ended) {
            ended = true;
            wakeAll();
        }
        return length;
    }

    @Override
    public ByteBuffer replyBuffer() {
        return ReplyBuffers.forThisThread();
    }

    /** Answers to requests that came through a ring go back through it; the rest go to {@code /dev/fuse}. */
    @Override
    public int send(ByteBuffer first, ByteBuffer second, FuseRequest answering) {
        long unique = first.getLong(first.position() + Structs.OutHeader.UNIQUE);
        Entry entry = unique == 0 ? null : take(unique);
        if (entry == null) {
            int result = device.write(first, second);
            if (result < 0 && answering != null) {
                answering.refused(-result);
            }
            return result;
        }
        entry.putReply(first, second);
        entry.commitId = unique;
        entry.answering = answering;
        return entry.queue.commit(entry);
    }

    /** The entry holding request {@code unique}, which the caller is about to answer: the own queue's first. */
    private Entry take(long unique) {
        RingQueue own = owned.get();
        Entry entry = own == null ? null : own.take(unique);
        for (int qid = 0; entry == null && qid < queueCount; qid++) {
            RingQueue queue = queues.get(qid);
            if (queue != null && queue != own) {
                entry = queue.take(unique);
            }
        }
        return entry;
    }

    @Override
    public void close() {
        for (int qid = 0; qid < queueCount; qid++) {
            RingQueue queue = queues.get(qid);
            if (queue != null) {
                queue.close();
            }
        }
    }

    /** Where an entry is: with the kernel (registered or committed), or holding a request here. */
    private enum EntryState { KERNEL, HELD, COMMITTING }

    /** One ring entry: where the kernel writes a request and reads its answer. */
    private final class Entry {
        final RingQueue queue;
        final int index;
        final NativeBuffer headers = NativeBuffer.allocate(HEADERS_SIZE);
        final NativeBuffer payload = NativeBuffer.allocate(payloadSize);
        final NativeBuffer iovecs = NativeBuffer.allocate(32);
        /** The request held, 0 when none or taken for its answer: read by answering threads. */
        volatile long unique;
        /** The request whose answer goes back in the next COMMIT_AND_FETCH. */
        long commitId;
        /** The request whose answer is being committed; told if the kernel refuses it. */
        FuseRequest answering;
        /** Owned by the queue's worker. */
        EntryState state = EntryState.KERNEL;

        Entry(RingQueue queue, int index) {
            this.queue = queue;
            this.index = index;
            ByteBuffer v = iovecs.buffer();
            v.putLong(0, headers.address());
            v.putLong(8, HEADERS_SIZE);
            v.putLong(16, payload.address());
            v.putLong(24, payloadSize);
        }

        /**
         * Lays the request out as {@code /dev/fuse} would: its header, the opcode's own
         * argument (op_in, as long as the header's length leaves room for), then the payload.
         */
        int copyRequest(NativeBuffer into) {
            ByteBuffer h = headers.buffer();
            ByteBuffer in = into.buffer();
            int payloadLength = Math.max(0, Math.min(h.getInt(PAYLOAD_SZ), payloadSize));
            int argumentLength = Math.max(0, Math.min(OP_IN, h.getInt(Structs.InHeader.LEN)
                    - Structs.InHeader.SIZE - payloadLength));
            payloadLength = Math.min(payloadLength, into.capacity() - Structs.InHeader.SIZE - argumentLength);
            in.put(0, h, 0, Structs.InHeader.SIZE);
            in.put(Structs.InHeader.SIZE, h, OP_IN, argumentLength);
            in.put(Structs.InHeader.SIZE + argumentLength, payload.buffer(), 0, payloadLength);
            int length = Structs.InHeader.SIZE + argumentLength + payloadLength;
            in.putInt(Structs.InHeader.LEN, length);
            state = EntryState.HELD;
            unique = h.getLong(Structs.InHeader.UNIQUE);
            return length;
        }

        /** The answer: its header in in_out, the rest in the payload buffer, its length in payload_sz. */
        void putReply(ByteBuffer first, ByteBuffer second) {
            ByteBuffer h = headers.buffer();
            ByteBuffer out = payload.buffer();
            h.put(0, first, first.position(), Structs.OutHeader.SIZE);
            int length = first.remaining() - Structs.OutHeader.SIZE;
            out.put(0, first, first.position() + Structs.OutHeader.SIZE, length);
            if (second != null && second.hasRemaining()) {
                out.put(length, second, second.position(), second.remaining());
                length += second.remaining();
            }
            h.putInt(PAYLOAD_SZ, length);
        }

        /** The kernel turned the answer down, or never got it: its request learns so. */
        void refuse(int errno) {
            FuseRequest request = answering;
            answering = null;
            if (request != null) {
                request.refused(errno);
            }
        }
    }

    /** One CPU's queue: its ring, its entries and the worker thread that owns them. */
    private final class RingQueue {
        final int qid;
        final Thread owner = Thread.currentThread();
        final IoUring ring;
        final Entry[] entries;
        final int wakeupFd;
        final NativeBuffer wakeupCounter = NativeBuffer.allocate(8);
        final NativeBuffer wakeupIncrement = NativeBuffer.allocate(8);
        final Queue<Entry> committedElsewhere = new ConcurrentLinkedQueue<>();
        final ArrayDeque<Entry> arrived = new ArrayDeque<>();
        int live;
        boolean served;
        boolean closed;

        /** Created on its worker thread, the only one that submits to the ring. */
        RingQueue(int qid, int entryCount) throws IOException {
            this.qid = qid;
            int pinned = Cpus.pinCurrentThread(qid);
            if (pinned < 0) {
                LOG.log(System.Logger.Level.DEBUG, "cannot pin the worker of queue " + qid + ": " + Errno.describe(-pinned));
            }
            this.ring = IoUring.create(2 * entryCount + 2);
            this.wakeupFd = Libc.INSTANCE.eventfd(0, Libc.EFD_CLOEXEC);
            if (wakeupFd < 0) {
                ring.close();
                throw new IOException("eventfd failed: " + Errno.describe(Libc.errno()));
            }
            wakeupIncrement.buffer().putLong(0, 1);
            this.entries = new Entry[entryCount];
            for (int i = 0; i < entryCount; i++) {
                entries[i] = new Entry(this, i);
                command(entries[i], REGISTER);
            }
            live = entryCount;
            armWakeup();
            int submitted = ring.submitAndWait(0);
            if (submitted < 0) {
                close();
                throw new IOException("submitting the registration failed: " + Errno.describe(-submitted));
            }
        }

        private void command(Entry entry, int command) {
            ByteBuffer sqes = ring.sqes();
            int at = ring.nextEntry();
            sqes.put(at, (byte) IoUring.OP_URING_CMD);
            sqes.putInt(at + 4, device.fd());
            sqes.putInt(at + 8, command);
            sqes.putLong(at + 16, entry.iovecs.address());
            sqes.putInt(at + 24, 2);
            sqes.putLong(at + 32, entry.index);
            sqes.putLong(at + CMD_COMMIT_ID, command == COMMIT_AND_FETCH ? entry.commitId : 0);
            sqes.putShort(at + CMD_QID, (short) qid);
            entry.state = command == COMMIT_AND_FETCH ? EntryState.COMMITTING : EntryState.KERNEL;
        }

        private void armWakeup() {
            ByteBuffer sqes = ring.sqes();
            int at = ring.nextEntry();
            sqes.put(at, (byte) IoUring.OP_READ);
            sqes.putInt(at + 4, wakeupFd);
            sqes.putLong(at + 16, wakeupCounter.address());
            sqes.putInt(at + 24, 8);
            sqes.putLong(at + 32, WAKEUP);
        }

        /** The entry holding {@code unique}, taken for its answer; null if none here does. */
        Entry take(long unique) {
            for (Entry entry : entries) {
                if (entry.unique == unique) {
                    entry.unique = 0;
                    return entry;
                }
            }
            return null;
        }

        /**
         * The next request of this queue, copied into {@code into}; -ENODEV once the connection
         * is gone, -EAGAIN when the transport fell back to {@code /dev/fuse}.
         */
        int next(NativeBuffer into) {
            while (true) {
                if (fellBack.get()) {
                    return -Errno.EAGAIN;
                }
                Entry entry = arrived.pollFirst();
                if (entry != null) {
                    return entry.copyRequest(into);
                }
                if (ended || live == 0) {
                    return -Errno.ENODEV; // answers not submitted yet are refused at close()
                }
                for (Entry answered; (answered = committedElsewhere.poll()) != null; ) {
                    command(answered, COMMIT_AND_FETCH);
                }
                int result = ring.submitAndWait(1);
                if (result < 0 && result != -Errno.EINTR) {
                    LOG.log(System.Logger.Level.ERROR, "io_uring of queue " + qid + " failed: " + Errno.describe(-result));
                    return -Errno.ENODEV;
                }
                reap();
            }
        }

        private void reap() {
            int ready = ring.ready();
            for (int i = 0; i < ready; i++) {
                long userData = ring.userData(i);
                int result = ring.result(i);
                if (userData == WAKEUP) {
                    armWakeup();
                } else if (result == 0) {
                    served = true;
                    Entry entry = entries[(int) userData];
                    entry.answering = null;
                    arrived.add(entry);
                } else {
                    entryFailed(entries[(int) userData], -result);
                }
            }
            ring.consume(ready);
            if (ring.unsubmitted() == 0) {
                // The kernel refuses a commit while submitting it: every commit without a failed
                // completion by now was taken, and its entry waits for the next request.
                for (Entry entry : entries) {
                    if (entry.state == EntryState.COMMITTING) {
                        entry.state = EntryState.KERNEL;
                        entry.answering = null;
                    }
                }
            }
        }

        /** An entry the kernel gave back without a request. */
        private void entryFailed(Entry entry, int errno) {
            boolean connectionEnds = errno == Errno.ENOTCONN || errno == Errno.ECANCELED
                    || errno == Errno.ECONNABORTED || errno == Errno.ENODEV;
            if (entry.state == EntryState.COMMITTING) {
                entry.refuse(errno);
                if (!connectionEnds) {
                    LOG.log(System.Logger.Level.WARNING, "the kernel refused an answer on io_uring queue " + qid
                            + " (" + Errno.describe(errno) + "); its entry registers again");
                    command(entry, REGISTER);
                    return;
                }
            }
            live--;
            if (connectionEnds) {
                return;
            }
            if (!served) {
                fallBack("registering queue " + qid + " failed: " + Errno.describe(errno));
            } else {
                LOG.log(System.Logger.Level.WARNING, "an entry of io_uring queue " + qid + " failed: "
                        + Errno.describe(errno) + "; " + live + " left");
            }
        }

        /** Sends an answer: at once from the owner (with its next wait), else through the owner. */
        int commit(Entry entry) {
            if (Thread.currentThread() == owner) {
                command(entry, COMMIT_AND_FETCH);
                return 0;
            }
            synchronized (this) {
                if (closed) {
                    entry.refuse(Errno.ENODEV);
                    return -Errno.ENODEV;
                }
                committedElsewhere.add(entry);
                return wakeLocked() ? 0 : -Errno.ENODEV;
            }
        }

        synchronized boolean wake() {
            return !closed && wakeLocked();
        }

        private boolean wakeLocked() {
            return Libc.INSTANCE.write(wakeupFd, wakeupIncrement.address(), 8) == 8;
        }

        /** Once the workers stopped: answers that never reached the kernel are refused. */
        synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            for (Entry entry; (entry = committedElsewhere.poll()) != null; ) {
                entry.refuse(Errno.ENODEV);
            }
            for (Entry entry : entries) {
                if (entry.state == EntryState.COMMITTING) {
                    entry.refuse(Errno.ENODEV);
                }
            }
            ring.close();
            Libc.INSTANCE.close(wakeupFd);
        }
    }
}
