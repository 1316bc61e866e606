package dev.thawfs.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.Structs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Decoding and error answers of the request loop, with the replies captured as the kernel would read them. */
class DispatcherTest {
    private final List<ByteBuffer> replies = new ArrayList<>();
    private final List<String> calls = new ArrayList<>();
    private final RequestStats stats = new RequestStats();
    private final RecordedTransport transport = new RecordedTransport(replies::add);
    private final Dispatcher dispatcher = new Dispatcher(new FuseChannel(transport, new RecordingFs(), stats, false));
    private final Requests requests = new Requests();

    private ByteBuffer request(int opcode, long nodeid, byte[] argument) {
        return requests.request(opcode, nodeid, argument);
    }

    private void dispatch(ByteBuffer request) {
        dispatcher.dispatch(request, request.capacity());
    }

    private int lastError() {
        ByteBuffer reply = replies.get(replies.size() - 1);
        assertEquals(reply.limit(), reply.getInt(Structs.OutHeader.LEN));
        return -reply.getInt(Structs.OutHeader.ERROR);
    }

    private static byte[] name(String name) {
        return Requests.name(name);
    }

    @Test
    void lookupDecodesTheNameAndRepliesAnEntry() {
        dispatch(request(Opcode.LOOKUP, 1, name("dätä.txt")));
        assertEquals(List.of("lookup 1 dätä.txt"), calls);
        ByteBuffer reply = replies.get(0);
        assertEquals(Structs.OutHeader.SIZE + Structs.EntryOut.SIZE, reply.limit());
        assertEquals(0, reply.getInt(Structs.OutHeader.ERROR));
        assertEquals(100, reply.getLong(Structs.OutHeader.UNIQUE));
        assertEquals(7, reply.getLong(Structs.OutHeader.SIZE + Structs.EntryOut.NODEID));
    }

    @Test
    void truncatedArgumentsAreAnsweredEioAndTheLoopGoesOn() {
        dispatch(request(Opcode.READ, 2, new byte[12]));
        assertEquals(Errno.EIO, lastError());
        dispatch(request(Opcode.LOOKUP, 1, "no-nul".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Errno.EIO, lastError());
        dispatch(request(Opcode.BATCH_FORGET, 0, new byte[] {(byte) 200, 0, 0, 0, 0, 0, 0, 0}));
        assertEquals(Errno.EIO, lastError());
        dispatch(request(Opcode.LOOKUP, 1, name("after")));
        assertEquals(0, lastError());
        assertEquals(List.of("lookup 1 after"), calls);
    }

    @Test
    void aRequestWhoseLengthDisagreesWithItsHeaderIsDropped() {
        ByteBuffer request = request(Opcode.GETATTR, 1, new byte[16]);
        dispatcher.dispatch(request, request.capacity() - 8);
        assertTrue(replies.isEmpty());
        assertTrue(calls.isEmpty());
    }

    @Test
    void aHandlerThatThrowsIsAnsweredEio() {
        dispatch(request(Opcode.GETATTR, 666, new byte[16]));
        assertEquals(Errno.EIO, lastError());
    }

    @Test
    void writesAreReadOnlyAndUnknownOpcodesAreNotImplemented() {
        for (int opcode : new int[] {Opcode.WRITE, Opcode.MKDIR, Opcode.UNLINK, Opcode.SETATTR, Opcode.CREATE,
                Opcode.RENAME2, Opcode.SETXATTR, Opcode.SYMLINK}) {
            dispatch(request(opcode, 1, new byte[64]));
            assertEquals(Errno.EROFS, lastError(), Opcode.name(opcode));
        }
        dispatch(request(Opcode.IOCTL, 1, new byte[64]));
        assertEquals(Errno.ENOSYS, lastError());
        dispatch(request(999, 1, new byte[0]));
        assertEquals(Errno.ENOSYS, lastError());
        assertEquals(1, stats.requests(Opcode.IOCTL));
        assertTrue(stats.toJson().contains("\"OTHER\":1"), stats.toJson());
        assertTrue(calls.isEmpty());
    }

    @Test
    void opensForWritingOrTruncatingAreRefused() {
        ByteBuffer arg = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
        dispatch(request(Opcode.OPEN, 2, arg.putInt(0, 2).array())); // O_RDWR
        assertEquals(Errno.EROFS, lastError());
        dispatch(request(Opcode.OPEN, 2, arg.putInt(0, 01000).array())); // O_TRUNC
        assertEquals(Errno.EROFS, lastError());
        dispatch(request(Opcode.OPEN, 2, arg.putInt(0, 0).array()));
        assertEquals(List.of("open 2"), calls);
    }

    @Test
    void anOpenWhoseAnswerTheKernelRefusesIsReleased() {
        transport.refuseWith(Errno.ENOENT); // the kernel no longer waits for the open
        dispatch(request(Opcode.OPEN, 2, new byte[8]));
        assertEquals(List.of("open 2", "release 2 1"), calls, "no RELEASE will come for a handle the kernel never got");
    }

    @Test
    void forgetsAreNotAnswered() {
        ByteBuffer batch = ByteBuffer.allocate(8 + 2 * 16).order(ByteOrder.nativeOrder());
        batch.putInt(0, 2).putLong(8, 5).putLong(16, 3).putLong(24, 6).putLong(32, 1);
        dispatch(request(Opcode.BATCH_FORGET, 0, batch.array()));
        dispatch(request(Opcode.FORGET, 9, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 2).array()));
        assertEquals(List.of("forget 5 3", "forget 6 1", "forget 9 2"), calls);
        assertTrue(replies.isEmpty());
    }

    @Test
    void anInterruptReachesAParkedRequestEvenWhenItArrivesFirst() {
        dispatch(request(Opcode.INTERRUPT, 0, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 101).array()));
        assertTrue(replies.isEmpty(), "an interrupt is not answered");
        dispatch(request(Opcode.READ, 2, new byte[Structs.ReadIn.SIZE])); // unique 101, parks itself
        assertEquals(List.of("read parked", "read interrupted"), calls);
        assertEquals(Errno.EINTR, lastError());
        assertEquals(101, replies.get(0).getLong(Structs.OutHeader.UNIQUE));
    }

    @Test
    void onlyTheFirstReplyIsSent() {
        dispatch(request(Opcode.READ, 2, new byte[Structs.ReadIn.SIZE]));
        ByteBuffer interrupt = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, 100);
        dispatch(request(Opcode.INTERRUPT, 0, interrupt.array()));
        dispatch(request(Opcode.INTERRUPT, 0, interrupt.array()));
        assertEquals(1, replies.size());
        assertEquals(Errno.EINTR, lastError());
    }

    private final class RecordingFs implements FuseFilesystem {
        @Override
        public void lookup(FuseRequest request, long parent, String name) {
            calls.add("lookup " + parent + " " + name);
            FileAttributes a = new FileAttributes(7, 0100644, 1, 0, 0, 0, 0, 4096, 0, 0, 0, 0, 0, 0, 0);
            request.replyEntry(Entry.of(7, a, 0, 0));
        }

        @Override
        public void forget(long nodeid, long lookups) {
            calls.add("forget " + nodeid + " " + lookups);
        }

        @Override
        public void getattr(FuseRequest request, long nodeid) {
            throw new IllegalStateException("node " + nodeid + " is broken");
        }

        @Override
        public void open(FuseRequest request, long nodeid, int flags) {
            calls.add("open " + nodeid);
            request.replyOpen(1, 0, 0);
        }

        @Override
        public void read(FuseRequest request, long nodeid, long fh, long offset, int size) {
            calls.add("read parked");
            request.onInterrupt(() -> calls.add("read interrupted"));
        }

        @Override
        public void release(long nodeid, long fh) {
            calls.add("release " + nodeid + " " + fh);
        }

        @Override
        public void opendir(FuseRequest request, long nodeid, int flags) {
        }

        @Override
        public void readdir(FuseRequest request, long nodeid, long fh, long offset, int size) {
        }

        @Override
        public void releasedir(long nodeid, long fh) {
        }

        @Override
        public void statfs(FuseRequest request, long nodeid) {
        }

        @Override
        public void readlink(FuseRequest request, long nodeid) {
        }
    }
}
