package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while fetching: a zip of 1,000 small and 6 large files on S3Proxy is mounted and a
 * random half of it read by 8 threads at once; the daemon is killed with SIGKILL mid-fetch, the
 * next {@code thawfs mount} on the same store cleans the dead mount, and so on, four times. Then
 * every file the store calls materialized must read exactly as unzip extracts it, and with the
 * object store gone the cold ones must fail with EIO within the fetch timeout.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class KillStormTest {
    private static final int KILLS = 4;
    private static final int FETCH_TIMEOUT_SECONDS = 10;

    @TempDir
    Path work;
    private S3ProxyServer s3;
    private ThawfsProcesses processes;

    @BeforeEach
    void start() throws Exception {
        FuseTestSupport.assumeFuse();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("builds");
        processes = new ThawfsProcesses(work);
    }

    @AfterEach
    void stop() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (s3 != null) {
            s3.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    @Test
    void killedMidFetchAgainAndAgainTheStoreServesOnlyWholeFilesAndColdOnesFailFast() throws Exception {
        long started = System.nanoTime();
        Random random = new Random(9);
        Path tree = work.resolve("tree");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1_006; i++) {
            String name = i < 1_000 ? "small/d" + (i % 25) + "/f" + i + ".bin" : "large/f" + i + ".bin";
            byte[] data = new byte[i < 1_000 ? 1024 + random.nextInt(128 * 1024) : (8 << 20) + random.nextInt(16 << 20)];
            random.nextBytes(data);
            Files.createDirectories(tree.resolve(name).getParent());
            Files.write(tree.resolve(name), data);
            names.add(name);
        }
        Path archive = work.resolve("many.zip");
        Commands.check(tree, "zip", "-q", "-r", "-1", archive.toString(), ".");
        Path extracted = Files.createDirectories(work.resolve("extracted"));
        Commands.check(extracted, "unzip", "-q", archive.toString());
        s3.put("builds", "many.zip", Files.readAllBytes(archive));
        Path mountpoint = Files.createDirectory(work.resolve("mnt"));
        List<String> args = List.of("--store", work.resolve("store").toString(), "--s3-endpoint",
                s3.endpoint.toString(), "--fetch-timeout", FETCH_TIMEOUT_SECONDS + "s", "s3://builds/many.zip");

        LongAdder reads = new LongAdder();
        LongAdder failedReads = new LongAdder();
        LongAdder mismatches = new LongAdder();
        Queue<String> wrong = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            for (int kill = 1; kill <= KILLS; kill++) {
                Process daemon = processes.mount(mountpoint, args);
                if (kill > 1) {
                    assertTrue(processes.stderr(daemon).contains("cleaned a stale FUSE mount"), processes.stderr(daemon));
                }
                List<String> half = new ArrayList<>(names);
                Collections.shuffle(half, random);
                List<String> toRead = half.subList(0, half.size() / 2);
                AtomicInteger next = new AtomicInteger();
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < 8; r++) {
                    readers.add(pool.submit(() -> {
                        for (int i; (i = next.getAndIncrement()) < toRead.size(); ) {
                            String name = toRead.get(i);
                            try {
                                byte[] got = Files.readAllBytes(mountpoint.resolve(name));
                                reads.increment();
                                if (!Arrays.equals(Files.readAllBytes(extracted.resolve(name)), got)) {
                                    mismatches.increment();
                                    wrong.add(name + ": " + got.length + " bytes read, wrong");
                                }
                            } catch (IOException e) {
                                failedReads.increment(); // the daemon is gone: ENOTCONN
                            }
                        }
                        return null;
                    }));
                }
                // kill once some files have arrived, while the readers wait for the next ones
                long readBefore = reads.sum();
                int progress = 30 + random.nextInt(100);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (reads.sum() - readBefore < progress && next.get() < toRead.size()
                        && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(5_000_000);
                }
                int startedAtKill = Math.min(next.get(), toRead.size());
                long readAtKill = reads.sum() - readBefore;
                daemon.destroyForcibly(); // SIGKILL, mid-fetch
                assertTrue(daemon.waitFor(60, TimeUnit.SECONDS));
                for (Future<?> reader : readers) {
                    reader.get(120, TimeUnit.SECONDS);
                }
                System.out.printf("KillStormTest: kill %d of %d (exit %d) with %d of %d files read, %d opened%n", kill,
                        KILLS, daemon.exitValue(), readAtKill, toRead.size(), startedAtKill);
                assertTrue(Mounts.isStale(mountpoint), "the killed daemon left its mount dead");
            }
        } finally {
            pool.shutdownNow();
        }

        Process daemon = processes.mount(mountpoint, args);
        assertTrue(processes.stderr(daemon).contains("cleaned a stale FUSE mount"), processes.stderr(daemon));
        Map<String, List<String>> byState = new TreeMap<>();
        List<String> differ = new ArrayList<>();
        for (String name : names) {
            Path file = mountpoint.resolve(name);
            String state = NativeFiles.getxattr(file, "user.thawfs.state");
            byState.computeIfAbsent(state, s -> new ArrayList<>()).add(name);
            if (state.equals("materialized")) {
                try {
                    byte[] got = Files.readAllBytes(file);
                    if (!Arrays.equals(Files.readAllBytes(extracted.resolve(name)), got)) {
                        differ.add(name + ": " + got.length + " bytes, not what unzip extracts");
                    }
                } catch (IOException e) {
                    differ.add(name + ": " + e);
                }
            }
        }
        Map<String, Integer> counts = new TreeMap<>();
        byState.forEach((state, files) -> counts.put(state, files.size()));
        System.out.printf("KillStormTest: %d kills; reads while mounted ok=%d failed=%d mismatches=%d; after: %s%n",
                KILLS, reads.sum(), failedReads.sum(), mismatches.sum(), counts);

        s3.close(); // the source is gone: cold files cannot be fetched any more
        s3 = null;
        List<String> cold = byState.getOrDefault("cold", List.of());
        List<String> slowOrWrong = new ArrayList<>();
        long slowest = 0;
        for (String name : cold.subList(0, Math.min(6, cold.size()))) {
            long start = System.nanoTime();
            String outcome;
            try {
                byte[] got = Files.readAllBytes(mountpoint.resolve(name));
                outcome = "read " + got.length + " bytes";
            } catch (FileSystemException e) {
                outcome = String.valueOf(e.getReason());
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            slowest = Math.max(slowest, millis);
            if (!outcome.contains("Input/output error") || millis > (FETCH_TIMEOUT_SECONDS + 2) * 1000L) {
                slowOrWrong.add(name + ": " + outcome + " after " + millis + " ms");
            }
        }
        System.out.printf("KillStormTest: cold reads with the source gone: %d tried, slowest %d ms; runtime %d s%n",
                Math.min(6, cold.size()), slowest, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));

        assertEquals(List.of(), new ArrayList<>(wrong), "reads that returned while the daemon was being killed");
        assertEquals(List.of(), differ, "files the store says are materialized: " + counts);
        assertTrue(byState.getOrDefault("materialized", List.of()).size() > 0, "something was fetched: " + counts);
        assertTrue(counts.keySet().stream().allMatch(s -> s.equals("cold") || s.equals("materialized")),
                "after a restart every file is cold or materialized: " + counts);
        if (cold.isEmpty()) {
            fail("no cold file left to check EIO on: " + counts);
        }
        assertEquals(List.of(), slowOrWrong, "cold files with the object store gone: EIO within the fetch timeout ("
                + FETCH_TIMEOUT_SECONDS + " s)");
        assertTrue(daemon.isAlive(), processes.stderr(daemon));
        assertEquals(0, processes.stop(daemon), processes.stderr(daemon));
    }
}
