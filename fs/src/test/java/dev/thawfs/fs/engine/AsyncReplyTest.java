package dev.thawfs.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.OpenFlags;
import dev.thawfs.fs.proto.Statfs;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests answered later from another thread, on a real mount: a parked read holds no worker,
 * other requests stay answered meanwhile, and a caller that gives up interrupts the parked read.
 */
class AsyncReplyTest {
    private static final long SLOW = 2;
    private static final long FAST = 3;
    private static final int SIZE = 8192;

    @TempDir
    Path work;
    private FuseSession session;
    private final BlockingQueue<FuseRequest> parkedReads = new LinkedBlockingQueue<>();
    private final CountDownLatch interrupted = new CountDownLatch(1);

    @BeforeEach
    void mount() throws IOException {
        FuseTestSupport.assumeFuse();
        Path mountpoint = Files.createDirectory(work.resolve("mnt"));
        session = FuseSession.mount(mountpoint, new ParkingFilesystem(),
                new MountOptions("thawfs-async-test", dev.thawfs.config.PassthroughMode.OFF, 2, false, null, null));
    }

    @AfterEach
    void unmount() throws IOException {
        if (session != null) {
            session.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    @Test
    void aParkedReadHoldsNoWorkerAndIsAnsweredFromAnotherThread() throws Exception {
        Path mnt = session.mountpoint();
        Process reader = new ProcessBuilder("dd", "if=" + mnt.resolve("slow"), "of=/dev/null", "bs=4096", "count=1")
                .redirectErrorStream(true).start();
        try {
            FuseRequest read = parkedReads.poll(30, TimeUnit.SECONDS);
            assertNotNull(read, "the read reached the filesystem");
            // Both workers stay free: with two of them, these would hang if the parked read held one.
            for (int i = 0; i < 20; i++) {
                assertEquals(SIZE, Files.size(mnt.resolve("fast")));
                try (Stream<Path> list = Files.list(mnt)) {
                    assertEquals(List.of("fast", "slow"), list.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }
            assertTrue(reader.isAlive(), "dd still waits for its read");
            Thread answerer = new Thread(() -> read.replyData(ByteBuffer.allocateDirect(4096)));
            answerer.start();
            answerer.join();
            assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, reader.exitValue(), new String(reader.getInputStream().readAllBytes()));
        } finally {
            reader.destroyForcibly();
        }
    }

    @Test
    void aCallerThatGivesUpInterruptsTheParkedRead() throws Exception {
        Process reader = new ProcessBuilder("cat", session.mountpoint().resolve("slow").toString())
                .redirectErrorStream(true).start();
        try {
            FuseRequest read = parkedReads.poll(30, TimeUnit.SECONDS);
            assertNotNull(read, "the read reached the filesystem");
            reader.destroy(); // SIGTERM: the kernel sends FUSE_INTERRUPT for the pending read
            assertTrue(interrupted.await(30, TimeUnit.SECONDS), "the interrupt handler ran");
            assertTrue(read.isAnswered(), "interrupted requests are answered EINTR");
            assertTrue(reader.waitFor(30, TimeUnit.SECONDS));
        } finally {
            reader.destroyForcibly();
        }
    }

    /** A root with two files: "fast" answers at once, "slow" parks every read until the test answers it. */
    private final class ParkingFilesystem implements FuseFilesystem {

        private FileAttributes attributes(long node) {
            int mode = node == 1 ? FileAttributes.S_IFDIR | 0755 : FileAttributes.S_IFREG | 0644;
            return new FileAttributes(node, mode, 1, 0, 0, node == 1 ? 0 : SIZE, 16, 4096, 0, 0, 0, 0, 0, 0, 0);
        }

        @Override
        public void lookup(FuseRequest request, long parent, String name) {
            long node = name.equals("slow") ? SLOW : name.equals("fast") ? FAST : 0;
            if (node == 0) {
                request.replyError(Errno.ENOENT);
            } else {
                request.replyEntry(Entry.of(node, attributes(node), 0, 0));
            }
        }

        @Override
        public void getattr(FuseRequest request, long nodeid) {
            request.replyAttributes(attributes(nodeid), 0);
        }

        @Override
        public void open(FuseRequest request, long nodeid, int flags) {
            request.replyOpen(nodeid, OpenFlags.DIRECT_IO, 0);
        }

        @Override
        public void read(FuseRequest request, long nodeid, long fh, long offset, int size) {
            if (nodeid == FAST || offset >= SIZE) {
                request.replyData(ByteBuffer.allocateDirect(nodeid == FAST ? Math.min(size, SIZE) : 0));
                return;
            }
            request.onInterrupt(interrupted::countDown);
            parkedReads.add(request);
        }

        @Override
        public void release(long nodeid, long fh) {
        }

        @Override
        public void opendir(FuseRequest request, long nodeid, int flags) {
            request.replyOpen(0, 0, 0);
        }

        @Override
        public void readdir(FuseRequest request, long nodeid, long fh, long offset, int size) {
            DirectoryReply reply = request.replyDirectory(size);
            if (offset < 1) {
                reply.add("fast", FAST, FileAttributes.S_IFREG, 1);
            }
            if (offset < 2) {
                reply.add("slow", SLOW, FileAttributes.S_IFREG, 2);
            }
            reply.send();
        }

        @Override
        public void releasedir(long nodeid, long fh) {
        }

        @Override
        public void statfs(FuseRequest request, long nodeid) {
            request.replyStatfs(new Statfs(0, 0, 0, 0, 0, 4096, 255, 4096));
        }

        @Override
        public void readlink(FuseRequest request, long nodeid) {
            request.replyError(Errno.EINVAL);
        }
    }
}
