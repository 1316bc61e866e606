package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries over a real local store whose reads are made to fail, stall-free and bounded. */
class RangeReaderTest {
    @TempDir
    Path work;

    /** A real store that breaks the first {@code failures} reads: 503s, or bodies cut short. */
    private static class FaultyStore implements ObjectStore {
        private final ObjectStore real;
        private final AtomicInteger failures;
        private final boolean truncate;
        final AtomicInteger reads = new AtomicInteger();

        FaultyStore(ObjectStore real, int failures, boolean truncate) {
            this.real = real;
            this.failures = new AtomicInteger(failures);
            this.truncate = truncate;
        }

        @Override
        public String uri(String key) {
            return real.uri(key);
        }

        @Override
        public ObjectInfo stat(String key) throws IOException {
            return real.stat(key);
        }

        @Override
        public InputStream read(ObjectInfo object, long offset, long length) throws IOException {
            reads.incrementAndGet();
            if (failures.getAndDecrement() <= 0) {
                return real.read(object, offset, length);
            }
            if (!truncate) {
                throw new TransientFetchException("503 SlowDown", null);
            }
            return new BoundedInputStream(real.read(object, offset, length), length / 3);
        }

        @Override
        public java.util.Iterator<ObjectInfo> list(String prefix) throws IOException {
            return real.list(prefix);
        }

        @Override
        public void write(String key, byte[] content) throws IOException {
            real.write(key, content);
        }

        @Override
        public void close() {
        }
    }

    private byte[] data;

    private LocalObjectStore store() throws IOException {
        data = new byte[300_000];
        new Random(5).nextBytes(data);
        Files.write(work.resolve("object"), data);
        return new LocalObjectStore(work);
    }

    private static final RetryPolicy FAST = new RetryPolicy(4, Duration.ofMillis(1), Duration.ofMillis(5));

    @Test
    void transientErrorsAreRetried() throws IOException {
        FaultyStore faulty = new FaultyStore(store(), 3, false);
        RangeReader reader = new RangeReader(faulty, FAST);
        assertArrayEquals(data, reader.read(faulty.stat("object"), 0, data.length));
        assertEquals(3, reader.counters().retries());
    }

    @Test
    void aTruncatedBodyResumesWhereItStopped() throws IOException {
        FaultyStore faulty = new FaultyStore(store(), 2, true);
        RangeReader reader = new RangeReader(faulty, FAST);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.copy(faulty.stat("object"), 1000, 200_000, out);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 1000, 201_000), out.toByteArray());
        assertEquals(2, reader.counters().retries());
    }

    @Test
    void aLargeRangeIsFetchedInPartsInParallelAndWrittenInOrder() throws IOException {
        LocalObjectStore local = store();
        RangeReader reader = new RangeReader(local, FAST, new RangeReader.Parallelism(10_000, 4));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.copy(local.stat("object"), 7, 250_000, out);
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 7, 250_007), out.toByteArray());
        assertEquals(25, reader.counters().requests(), "one request per 10 000-byte part");
    }

    @Test
    void identicalConcurrentRequestsShareOneFetch() throws Exception {
        LocalObjectStore local = store();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        FaultyStore slow = new FaultyStore(local, 0, false) {
            @Override
            public InputStream read(ObjectInfo object, long offset, long length) throws IOException {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                return super.read(object, offset, length);
            }
        };
        RangeReader reader = new RangeReader(slow, FAST);
        ObjectInfo info = local.stat("object");
        List<Thread> readers = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8, task -> {
            Thread thread = new Thread(task);
            readers.add(thread);
            return thread;
        });
        try {
            List<java.util.concurrent.Future<byte[]>> reads = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                reads.add(pool.submit(() -> reader.read(info, 100, 5000)));
            }
            // all eight are inside read() and parked: one in the fetch, seven waiting for it
            while (readers.size() < 8 || !readers.stream().allMatch(t -> t.getState() == Thread.State.WAITING)) {
                Thread.onSpinWait();
            }
            release.countDown();
            for (var read : reads) {
                assertArrayEquals(java.util.Arrays.copyOfRange(data, 100, 5100), read.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, slow.reads.get(), "one fetch for eight identical requests");
    }

    @Test
    void retriesAreBounded() throws IOException {
        FaultyStore faulty = new FaultyStore(store(), 100, false);
        RangeReader reader = new RangeReader(faulty, FAST);
        IOException e = assertThrows(IOException.class, () -> reader.read(faulty.stat("object"), 0, 10));
        assertTrue(e.getMessage().contains("503"), e.getMessage());
        assertEquals(4, faulty.reads.get());
        assertEquals(1, reader.counters().failures());
    }

    @Test
    void aReplacedObjectIsNotRetried() throws Exception {
        LocalObjectStore local = store();
        ObjectInfo before = local.stat("object");
        Files.write(work.resolve("object"), new byte[10]);
        Files.setLastModifiedTime(work.resolve("object"),
                java.nio.file.attribute.FileTime.fromMillis(before.mtimeMillis() + 2000));
        RangeReader reader = new RangeReader(local, FAST);
        assertThrows(ObjectChangedException.class, () -> reader.read(before, 0, 10));
        assertEquals(0, reader.counters().retries());
    }
}
