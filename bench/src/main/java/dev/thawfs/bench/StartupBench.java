package dev.thawfs.bench;

import dev.thawfs.bench.Fixtures.Read;
import dev.thawfs.config.PassthroughMode;
import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.fetcher.SeekIndexOptions;
import dev.thawfs.fetcher.SeekIndexes;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.MountOptions;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.fs.thaw.ThawOptions;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import dev.thawfs.testkit.ThrottlingProxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/**
 * bench/run startup: a job's startup against an artifact set on S3 (behind first-byte latency
 * and a bandwidth cap): thawfs cold, thawfs warm, and download everything + extract, each then
 * running the same startup workload ({@link Fixtures#startupTrace}).
 *
 * <p>Usage: StartupBench WORK_DIR TOTAL_MIB LATENCY_MS CAP_MB_PER_S
 */
public final class StartupBench {
    private static final String BUCKET = "startup";
    private static final int PREFETCH_WINDOW = Integer.getInteger("thawfs.bench.prefetchWindow", 32);
    private static final int FETCH_CONCURRENCY = Integer.getInteger("thawfs.bench.fetchConcurrency", 32);
    /** {@code --passthrough MODE}: inode for tier A on the series kernel. */
    private static final PassthroughMode PASSTHROUGH =
            PassthroughMode.parse(System.getProperty("thawfs.bench.passthrough", "auto"));
    /** {@code --checkpoint-spacing BYTES}: the tar.gz seek index's; index.checkpoint-spacing's default unless given. */
    private static final long CHECKPOINT_SPACING = Long.getLong("thawfs.bench.checkpointSpacing",
            SeekIndexOptions.defaults().spacing());

    private StartupBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        long totalBytes = Long.parseLong(args[1]) << 20;
        Duration latency = Duration.ofMillis(Long.parseLong(args[2]));
        long cap = Long.parseLong(args[3]) * 1_000_000;

        Path tree = work.resolve("tree");
        List<Path> files = Fixtures.bundle(tree, totalBytes, 64 << 10);
        List<Read> workload = Fixtures.startupTrace(tree, files, totalBytes);
        long workloadBytes = workload.stream().mapToLong(Read::length).sum();
        Fixtures.zip(tree, files, work.resolve("bundle.zip"));
        Fixtures.tar(tree, files, work.resolve("bundle.tar.gz"), true);

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
                String result = null;
                Result tarGzDownload = null;
                // the tar.gz twice: streamed whole, then (its seek index published) file by file
                for (String run : new String[] {"bundle.zip", "bundle.tar.gz", "bundle.tar.gz-indexed"}) {
                    String name = run.replace("-indexed", "");
                    SeekIndexes.Built index = null;
                    if (!run.equals(name)) {
                        index = Artifacts.buildSeekIndex("s3://" + BUCKET + "/" + name, FetchOptions.defaults(
                                s3.settings()).withSeekIndexes(new SeekIndexOptions(CHECKPOINT_SPACING, null)), true);
                    }
                    List<String> trace = Collections.synchronizedList(new ArrayList<>());
                    Path store = work.resolve("store-" + run);
                    Result cold = thawfs(settings, name, store, work, workload, trace::add, List.of());
                    Result warm = thawfs(settings, name, store, work, workload, null, List.of());
                    Result replayed = thawfs(settings, name, work.resolve("store-replay-" + run), work, workload,
                            null, trace);
                    Result download = index != null ? tarGzDownload : downloadAndExtract(settings, name, work, workload);
                    print("thawfs cold, " + run, cold);
                    print("thawfs cold, replaying its trace, " + run, replayed);
                    print("thawfs warm, " + run, warm);
                    if (index == null) {
                        print("download + extract + workload, " + name, download);
                    }
                    if (result == null) {
                        long nativeNanos = time(() -> Workloads.startup(work.resolve("extracted-" + name), workload));
                        System.out.printf("%-48s %10.3f%n", "workload alone, extracted tree (warm cache)", nativeNanos / 1e9);
                        System.out.printf("%-48s %10.3f%n", "workload alone, thawfs warm", warm.workloadNanos / 1e9);
                        long warmFiles = workload.stream().map(Read::path).distinct().count();
                        result = String.format("RESULT scenario=startup time_ratio=%.3f fetched_ratio=%.2f"
                                + " warm_ratio=%.2f reads_after_switch=%d warm_requests_per_file=%.2f"
                                + " time_ratio_no_trace=%.3f passthrough=%s tier=%s", (double) replayed.nanos
                                / download.nanos, (double) cold.fetched / workloadBytes, (double) warm.workloadNanos
                                / nativeNanos, warm.reads, (double) warm.workloadRequests / warmFiles,
                                (double) cold.nanos / download.nanos, PASSTHROUGH, warm.tier);
                    } else if (index == null) {
                        tarGzDownload = download;
                        System.out.printf("tar.gz: fetched_ratio=%.2f (artifact-granular: the whole archive is read"
                                + " once), time_ratio=%.3f%n", (double) cold.fetched / workloadBytes,
                                (double) replayed.nanos / download.nanos);
                    } else {
                        System.out.printf("tar.gz with a seek index (%d checkpoints, %.1f MiB, %.2f %% of the archive):"
                                + " fetched_ratio=%.2f, time_ratio=%.3f%n", index.checkpoints(), index.indexBytes()
                                / 1048576.0, 100.0 * index.indexBytes() / index.archiveBytes(), (double) cold.fetched
                                / workloadBytes, (double) replayed.nanos / download.nanos);
                        result += String.format(" targz_time_ratio=%.3f targz_fetched_ratio=%.2f"
                                + " targz_index_fraction=%.4f", (double) replayed.nanos / download.nanos,
                                (double) cold.fetched / workloadBytes, (double) index.indexBytes() / index.archiveBytes());
                    }
                }
                System.out.printf("%s latency_ms=%d cap_mb_s=%d total_mib=%d%n", result, latency.toMillis(),
                        cap / 1_000_000, totalBytes >> 20);
            }
        }
    }

    /**
     * @param workloadNanos the workload alone, without mounting or downloading
     * @param workloadRequests the daemon's requests during the workload
     */
    private record Result(long nanos, long workloadNanos, long fetched, long reads, long workloadRequests,
            String tier) {
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
            ThawFilesystem filesystem = new ThawFilesystem(store, List.of(new Layer(artifact, "")), content,
                    ThawOptions.defaults());
            if (record != null) {
                filesystem.recordAccessesTo((path, offset, length, millis) -> record.accept(path));
            }
            long reads;
            long workloadNanos;
            long workloadRequests;
            String tier;
            try (FuseSession session = FuseSession.mount(mountpoint, filesystem,
                    MountOptions.defaults("thawfs-bench").withPassthrough(PassthroughPolicy.valueOf(PASSTHROUGH.name()))
                            .withBackingProbe(store.directory()))) {
                filesystem.prefetch(replay, PREFETCH_WINDOW);
                long requestsBefore = session.stats().total();
                workloadNanos = time(() -> Workloads.startup(mountpoint, workload));
                workloadRequests = session.stats().total() - requestsBefore;
                reads = session.stats().requests(Opcode.READ);
                tier = session.tier().name();
            }
            return new Result(System.nanoTime() - start, workloadNanos, reader.counters().bytes(), reads,
                    workloadRequests, tier);
        }
    }

    /** What jobs do today: fetch the whole artifact (parallel ranged GETs), extract it, then start. */
    private static Result downloadAndExtract(S3Settings settings, String name, Path work, List<Read> workload)
            throws Exception {
        Path download = work.resolve("download-" + name);
        Path extracted = work.resolve("extracted-" + name);
        long start = System.nanoTime();
        long bytes = Download.object(settings, BUCKET, name, download);
        Download.extract(download, extracted);
        long workloadNanos = time(() -> Workloads.startup(extracted, workload));
        return new Result(System.nanoTime() - start, workloadNanos, bytes, -1, -1, "-");
    }

    /** Something a benchmark times. */
    interface Action {
        void run() throws Exception;
    }

    /** Nanoseconds {@code action} took. */
    static long time(Action action) throws Exception {
        long start = System.nanoTime();
        action.run();
        return System.nanoTime() - start;
    }
}
