package dev.thawfs.fs.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.proto.PassthroughPolicy;
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
    @TempDir
    Path work;
    private FuseSession session;
    private final BlockingQueue<FuseRequest> parkedReads = new LinkedBlockingQueue<>();
    private final CountDownLatch interrupted = new CountDownLatch(1);

    @BeforeEach
    void mount() throws IOException {
        FuseTestSupport.assumeFuse();
        Path mountpoint = Files.createDirectory(work.resolve("mnt"));
        TinyFilesystem fs = new TinyFilesystem(0, (request, offset, size) -> {
            request.onInterrupt(interrupted::countDown);
            parkedReads.add(request);
        });
        session = FuseSession.mount(mountpoint, fs,
                new MountOptions("thawfs-async-test", PassthroughPolicy.OFF, 2, false, null, FuseTestSupport.TRANSPORT));
        FuseTestSupport.assertTransport(session);
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
                assertEquals(TinyFilesystem.SIZE, Files.size(mnt.resolve("fast")));
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
}
