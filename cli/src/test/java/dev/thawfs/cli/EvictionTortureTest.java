package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.testing.FuseTestSupport;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.testkit.Commands;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Eviction under load: a zip of 2,000 files of 4-256 KiB (random content from a seeded Random)
 * mounted by {@code thawfs mount --budget 1MiB}, so nearly every open evicts something another
 * reader may be opening; 16 threads open random files and read them whole for
 * {@code thawfs.torture.seconds} (45 s). Every read must return exactly the file's bytes: no
 * mismatch, no short or empty read, no error. With passthrough (auto) and without (off).
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class EvictionTortureTest {
    private static final int FILES = 2_000;
    private static final int READERS = 16;
    private static final long SECONDS = Long.getLong("thawfs.torture.seconds", 45);
    /** 1 MiB of budget, plus what the readers' open files and the fetches under way may hold (256 KiB each). */
    private static final long BUDGET_KEPT = (1 << 20) + (READERS + 16) * (256L << 10);

    @TempDir
    static Path corpus;
    private static Path archive;
    private static String[] names;
    private static byte[][] contents;

    @TempDir
    Path work;
    private ThawfsProcesses processes;

    @BeforeAll
    static void makeTheArtifact() throws Exception {
        FuseTestSupport.assumeFuse();
        Random random = new Random(2_000);
        Path tree = corpus.resolve("tree");
        names = new String[FILES];
        contents = new byte[FILES][];
        for (int i = 0; i < FILES; i++) {
            names[i] = "d" + (i % 20) + "/f" + i + ".bin";
            contents[i] = new byte[4096 + random.nextInt(252 * 1024 + 1)];
            random.nextBytes(contents[i]);
            Files.createDirectories(tree.resolve(names[i]).getParent());
            Files.write(tree.resolve(names[i]), contents[i]);
        }
        archive = corpus.resolve("torture.zip");
        Commands.check(tree, "zip", "-q", "-r", "-1", archive.toString(), ".");
        Path extracted = Files.createDirectories(corpus.resolve("extracted"));
        Commands.check(extracted, "unzip", "-q", archive.toString());
        for (int i = 0; i < FILES; i++) { // what the tool extracts is what a read must return
            contents[i] = Files.readAllBytes(extracted.resolve(names[i]));
        }
    }

    @BeforeEach
    void start() {
        processes = new ThawfsProcesses(work);
    }

    @AfterEach
    void stop() throws Exception {
        processes.close();
        FuseTestSupport.assertNoMountsLeft(work);
    }

    @ParameterizedTest(name = "--passthrough {0}")
    @ValueSource(strings = {"auto", "off"})
    void sixteenReadersUnderAOneMebibyteBudgetAlwaysReadTheWholeFile(String passthrough) throws Exception {
        Path mountpoint = Files.createDirectory(work.resolve("mnt"));
        Process daemon = processes.mount(mountpoint, List.of("--store", work.resolve("store").toString(),
                "--budget", "1MiB", "--passthrough", passthrough, "--fetch-timeout", "30s", archive.toString()));
        String tier = NativeFiles.getxattr(mountpoint, ThawFilesystem.STATUS_XATTR)
                .replaceAll("(?s).*\\btier=(\\w+).*", "$1");

        LongAdder reads = new LongAdder();
        LongAdder bytes = new LongAdder();
        LongAdder mismatches = new LongAdder();
        LongAdder shortReads = new LongAdder();
        LongAdder emptyReads = new LongAdder();
        LongAdder errors = new LongAdder();
        Queue<String> examples = new ConcurrentLinkedQueue<>();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
        ExecutorService pool = Executors.newFixedThreadPool(READERS);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < READERS; r++) {
                readers.add(pool.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    while (System.nanoTime() < end) {
                        int i = random.nextInt(FILES);
                        byte[] expected = contents[i];
                        String problem = null;
                        try {
                            byte[] got = Files.readAllBytes(mountpoint.resolve(names[i]));
                            bytes.add(got.length);
                            if (got.length == 0) {
                                emptyReads.increment();
                                problem = "empty read";
                            } else if (got.length < expected.length) {
                                shortReads.increment();
                                problem = "short read: " + got.length + " bytes";
                            } else if (!Arrays.equals(expected, got)) {
                                mismatches.increment();
                                problem = "wrong bytes (" + got.length + " bytes, first difference at "
                                        + Arrays.mismatch(expected, got) + ")";
                            }
                        } catch (IOException e) {
                            errors.increment();
                            problem = e.toString();
                        }
                        reads.increment();
                        if (problem != null && examples.size() < 10) {
                            examples.add(names[i] + " (" + expected.length + " bytes): " + problem + " after "
                                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms");
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> reader : readers) {
                reader.get(SECONDS + 120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long storeBytes = storeBytesOnceEvicted(mountpoint);
        boolean alive = daemon.isAlive();
        String figures = String.format("EvictionTortureTest --passthrough %s (tier %s): %d readers, %.1f s: reads=%d"
                + " (%.0f/s, %d MiB), mismatches=%d, short=%d, empty=%d, errors=%d, store_bytes at the end=%d",
                passthrough, tier, READERS, seconds, reads.sum(), reads.sum() / seconds, bytes.sum() >> 20,
                mismatches.sum(), shortReads.sum(), emptyReads.sum(), errors.sum(), storeBytes);
        System.out.println(figures);
        examples.forEach(example -> System.out.println("  " + example));
        int exit = alive ? processes.stop(daemon) : daemon.exitValue();
        System.out.println("EvictionTortureTest --passthrough " + passthrough + ": daemon " + (alive ? "" : "had died, ")
                + "exit " + exit + (exit == -1 ? " (did not stop within 60 s of SIGTERM)" : ""));

        assertAll(() -> assertTrue(reads.sum() > 1000, "the readers got going: " + figures),
                () -> assertEquals(0, mismatches.sum() + shortReads.sum() + emptyReads.sum() + errors.sum(),
                        figures + "; for example:\n  " + String.join("\n  ", examples)),
                () -> assertTrue(alive && exit == 0, "the daemon " + (alive ? "was alive" : "had died") + " and exited "
                        + exit + " on SIGTERM (-1: not within 60 s): " + processes.stderrTail(daemon, 3000)
                        + processes.crashReport(daemon)),
                () -> assertTrue(storeBytes <= BUDGET_KEPT, "the budget is kept, beside what open files and"
                        + " running fetches hold: " + figures));
    }

    /** The store's bytes once eviction caught up with the readers (it runs behind them), waiting up to 60 s. */
    private static long storeBytesOnceEvicted(Path mountpoint) throws Exception {
        long bytes = Long.MAX_VALUE;
        for (int i = 0; i < 600 && bytes > BUDGET_KEPT; i++) {
            String status = NativeFiles.getxattr(mountpoint, ThawFilesystem.STATUS_XATTR);
            bytes = Long.parseLong(status.replaceAll("(?s).*\\bstore_bytes=(\\d+).*", "$1"));
            Thread.sleep(100);
        }
        return bytes;
    }
}
