package dev.thawfs.bench;

import dev.thawfs.config.PassthroughMode;
import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.fetcher.ObjectInfo;
import dev.thawfs.fetcher.RangeReader;
import dev.thawfs.fetcher.RetryPolicy;
import dev.thawfs.fetcher.S3ObjectStore;
import dev.thawfs.fetcher.S3ProxyServer;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.MountOptions;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * bench/run startup: a job's startup against an artifact set on S3 (behind first-byte latency
 * and a bandwidth cap): thawfs cold, thawfs warm, and download everything + extract, each then
 * running the same startup workload (about 5 % of the bytes across about 10 % of the files).
 *
 * <p>Usage: StartupBench WORK_DIR TOTAL_MIB LATENCY_MS CAP_MB_PER_S
 */
public final class StartupBench {
    private static final String BUCKET = "startup";
    private static final int PREFETCH_WINDOW = Integer.getInteger("thawfs.bench.prefetchWindow", 32);
    private static final int FETCH_CONCURRENCY = Integer.getInteger("thawfs.bench.fetchConcurrency", 32);

    /** One read of the workload: a file, and how much of it from where. */
    private record Read(String path, long offset, long length) {
    }

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        long totalBytes = Long.parseLong(args[1]) << 20;
        Duration latency = Duration.ofMillis(Long.parseLong(args[2]));
        long cap = Long.parseLong(args[3]) * 1_000_000;

        Path tree = work.resolve("tree");
        List<Path> files = createTree(tree, totalBytes);
        List<Read> workload = workload(tree, files);
        long workloadBytes = workload.stream().mapToLong(Read::length).sum();
        pack(tree, files, work.resolve("bundle.zip"), work.resolve("bundle.tar.gz"));

        try (S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")))) {
            s3.createBucket(BUCKET);
            for (String name : new String[] {"bundle.zip", "bundle.tar.gz"}) {
                s3.put(BUCKET, name, Files.readAllBytes(work.resolve(name)));
            }
            try (ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint.getPort(), latency, cap)) {
                S3Settings settings = s3.settings().withEndpoint(URI.create("http://127.0.0.1:" + proxy.port()), true);
                System.out.printf("artifact set: %d files, %.0f MiB; workload: %d reads, %.1f MiB (%.1f %% of the bytes)%n",
                        files.size(), totalBytes / 1048576.0, workload.size(), workloadBytes / 1048576.0,
                        100.0 * workloadBytes / totalBytes);
                System.out.printf("%-48s %10s %12s %14s %12s%n", "", "seconds", "of which job", "fetched MiB",
                        "daemon READs");
                Result zipCold = null;
                for (String name : new String[] {"bundle.zip", "bundle.tar.gz"}) {
                    List<String> trace = Collections.synchronizedList(new ArrayList<>());
                    Path store = work.resolve("store-" + name);
                    Result cold = thawfs(settings, name, store, work, workload, trace::add, List.of());
                    Result warm = thawfs(settings, name, store, work, workload, null, List.of());
                    Result replayed = thawfs(settings, name, work.resolve("store-replay-" + name), work, workload,
                            null, trace);
                    Result download = downloadAndExtract(settings, name, work, workload);
                    print("thawfs cold, " + name, cold);
                    print("thawfs cold, replaying its trace, " + name, replayed);
                    print("thawfs warm, " + name, warm);
                    print("download + extract + workload, " + name, download);
                    if (zipCold == null) {
                        zipCold = cold;
                        long nativeNanos = time(() -> run(work.resolve("extracted-" + name), workload));
                        System.out.printf("%-48s %10.3f%n", "workload alone, extracted tree (warm cache)", nativeNanos / 1e9);
                        System.out.printf("%-48s %10.3f%n", "workload alone, thawfs warm", warm.workloadNanos / 1e9);
                        System.out.printf("RESULT scenario=startup time_ratio=%.3f fetched_ratio=%.2f"
                                + " warm_ratio=%.2f reads_after_switch=%d time_ratio_no_trace=%.3f latency_ms=%d"
                                + " cap_mb_s=%d total_mib=%d%n", (double) replayed.nanos / download.nanos,
                                (double) cold.fetched / workloadBytes, (double) warm.workloadNanos / nativeNanos,
                                warm.reads, (double) cold.nanos / download.nanos, latency.toMillis(),
                                cap / 1_000_000, totalBytes >> 20);
                    } else {
                        System.out.printf("tar.gz: fetched_ratio=%.2f (artifact-granular: the whole archive is read"
                                + " once), time_ratio=%.3f%n", (double) cold.fetched / workloadBytes,
                                (double) replayed.nanos / download.nanos);
                    }
                }
            }
        }
    }

    /** @param workloadNanos the workload alone, without mounting or downloading */
    private record Result(long nanos, long workloadNanos, long fetched, long reads) {
    }

    private static void print(String what, Result result) {
        System.out.printf("%-48s %10.2f %12.2f %14.1f %12s%n", what, result.nanos / 1e9, result.workloadNanos / 1e9,
                result.fetched / 1048576.0,
                result.reads < 0 ? "-" : Long.toString(result.reads));
    }

    /**
     * Mount (importing the index), run the workload, unmount; the store persists between calls.
     *
     * @param record where the mount reports first accesses, or null
     * @param replay paths fetched in the background from the mount on, in order (a recorded trace)
     */
    private static Result thawfs(S3Settings settings, String name, Path storeDir, Path work, List<Read> workload,
            Consumer<String> record, List<String> replay) throws Exception {
        Path mountpoint = Files.createDirectories(work.resolve("mnt"));
        long start = System.nanoTime();
        try (Store store = Store.open(storeDir,
                StoreOptions.defaults().withBudget(1L << 40).withConcurrency(FETCH_CONCURRENCY));
                FetcherSource content = new FetcherSource()) {
            var reader = Artifacts.open("s3://" + BUCKET + "/" + name, FetchOptions.defaults(settings),
                    store.scratchDirectory());
            Artifact artifact = content.importArtifact(store, reader);
            ThawFilesystem filesystem = new ThawFilesystem(store, List.of(new Layer(artifact, "")), content, 64L << 20,
                    Duration.ofSeconds(120));
            if (record != null) {
                filesystem.recordAccessesTo((path, offset, length, millis) -> record.accept(path));
            }
            long reads;
            long workloadNanos;
            try (FuseSession session = FuseSession.mount(mountpoint, filesystem,
                    MountOptions.defaults("thawfs-bench").withPassthrough(PassthroughMode.AUTO)
                            .withBackingProbe(store.directory()))) {
                filesystem.prefetch(replay, PREFETCH_WINDOW);
                workloadNanos = time(() -> run(mountpoint, workload));
                reads = session.stats().requests(Opcode.READ);
            }
            return new Result(System.nanoTime() - start, workloadNanos, reader.counters().bytes(), reads);
        }
    }

    /** What jobs do today: fetch the whole artifact (parallel ranged GETs), extract it, then start. */
    private static Result downloadAndExtract(S3Settings settings, String name, Path work, List<Read> workload)
            throws Exception {
        Path download = work.resolve("download-" + name);
        Path extracted = work.resolve("extracted-" + name);
        Files.createDirectories(extracted);
        long start = System.nanoTime();
        long bytes;
        try (S3ObjectStore store = new S3ObjectStore(settings, BUCKET)) {
            ObjectInfo object = store.stat(name);
            RangeReader reader = new RangeReader(store, RetryPolicy.defaults());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(download), 1 << 20)) {
                reader.copy(object, 0, object.size(), out);
            }
            bytes = reader.counters().bytes();
        }
        if (name.endsWith(".zip")) {
            command(extracted, "unzip", "-q", download.toString());
        } else {
            command(extracted, "tar", "xzf", download.toString());
        }
        long workloadNanos = time(() -> run(extracted, workload));
        return new Result(System.nanoTime() - start, workloadNanos, bytes, -1);
    }

    /** Thousands of 1-64 KiB files in a JDK-like tree, plus a few 50-200 MiB data files. */
    private static List<Path> createTree(Path root, long totalBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(2026);
        List<Path> files = new ArrayList<>();
        long large = totalBytes * 7 / 10;
        long written = 0;
        byte[] block = new byte[1 << 20];
        for (int i = 0; written < large; i++) {
            long size = Math.min(large - written, (50L << 20) + random.nextLong(150L << 20));
            size = Math.max(1, Math.min(size, Math.max(1, totalBytes / 8)));
            Path file = root.resolve("data/model-" + i + ".bin");
            Files.createDirectories(file.getParent());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                for (long left = size; left > 0; left -= block.length) {
                    fill(random, block);
                    out.write(block, 0, (int) Math.min(left, block.length));
                }
            }
            files.add(file);
            written += size;
        }
        String[] dirs = {"jdk/lib/modules", "jdk/bin", "app/lib", "venv/site-packages/numpy", "venv/site-packages/requests",
            "venv/site-packages/yaml", "app/config", "app/static/js", "app/static/css"};
        for (int i = 0; written < totalBytes; i++) {
            int size = random.nextInt(1024, 64 * 1024);
            Path file = root.resolve(dirs[i % dirs.length] + "/d" + (i % 37) + "/f" + i + ".dat");
            Files.createDirectories(file.getParent());
            fill(random, block);
            Files.write(file, java.util.Arrays.copyOf(block, size));
            files.add(file);
            written += size;
        }
        return files;
    }

    /** Half random, half text-like: compresses about as well as real bundles. */
    private static void fill(SplittableRandom random, byte[] block) {
        for (int i = 0; i < block.length; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < block.length; j++) {
                block[i + j] = (i & 4096) == 0 ? (byte) (value >>> (8 * j)) : (byte) ('a' + ((value >>> (8 * j)) & 15));
            }
        }
    }

    /** About 10 % of the small files whole, in tree order, and 5 % of the first large file. */
    private static List<Read> workload(Path root, List<Path> files) throws IOException {
        List<Read> reads = new ArrayList<>();
        SplittableRandom random = new SplittableRandom(9);
        for (Path file : files) {
            String path = root.relativize(file).toString();
            long size = Files.size(file);
            if (path.startsWith("data/")) {
                if (reads.stream().noneMatch(r -> r.path().startsWith("data/"))) {
                    reads.add(new Read(path, size / 3, size / 20));
                }
            } else if (random.nextInt(10) == 0) {
                reads.add(new Read(path, 0, size));
            }
        }
        return reads;
    }

    private static void run(Path root, List<Read> workload) throws IOException {
        byte[] buffer = new byte[1 << 20];
        for (Read read : workload) {
            try (RandomAccessFile file = new RandomAccessFile(root.resolve(read.path()).toFile(), "r")) {
                file.seek(read.offset());
                for (long left = read.length(); left > 0; ) {
                    int n = file.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        break;
                    }
                    left -= n;
                }
            }
        }
    }

    private static void pack(Path root, List<Path> files, Path zip, Path targz) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip), 1 << 20))) {
            out.setLevel(1);
            for (Path file : files) {
                out.putNextEntry(new ZipEntry(root.relativize(file).toString()));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(new GzipCompressorOutputStream(
                new BufferedOutputStream(Files.newOutputStream(targz), 1 << 20)))) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path file : files) {
                TarArchiveEntry entry = new TarArchiveEntry(file.toFile(), root.relativize(file).toString());
                out.putArchiveEntry(entry);
                Files.copy(file, out);
                out.closeArchiveEntry();
            }
        }
    }

    private interface Action {
        void run() throws Exception;
    }

    private static long time(Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return System.nanoTime() - start;
    }

    private static void command(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }
}
