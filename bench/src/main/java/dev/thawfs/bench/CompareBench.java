package dev.thawfs.bench;

import dev.thawfs.bench.Fixtures.Read;
import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.ObjectInfo;
import dev.thawfs.fetcher.RangeReader;
import dev.thawfs.fetcher.RetryPolicy;
import dev.thawfs.fetcher.S3ObjectStore;
import dev.thawfs.fetcher.S3ProxyServer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * bench/run compare: thawfs against download-and-extract, rclone, s3fs, fuse-zip and native reads,
 * on the same fixtures, through the same loopback proxy (first-byte latency, per-connection cap).
 *
 * <p>Usage: CompareBench WORK TOTAL_MIB SMALL_MAX_KIB REPO_OBJECTS LATENCY_MS CAP_MB TIMEOUT_S THAWFS DOCS|-
 */
public final class CompareBench {
    private static final String[] WORKLOADS = {"startup", "seq", "rand", "walk", "repo"};

    /** One measurement; {@code note} says why there is none (n/a) or that it was stopped. */
    record Figures(double seconds, long bytes, long requests, long daemonRequests, String note) {
        static Figures notAvailable(String why) {
            return new Figures(Double.NaN, 0, 0, -1, why);
        }

        String time() {
            return note != null ? "n/a (" + note + ")" : String.format(Locale.ROOT, "%.2f", seconds);
        }
    }

    private final Path work;
    private final Duration timeout;
    private final ThrottlingProxy proxy;
    private final Map<String, Map<String, Figures[]>> results = new LinkedHashMap<>();
    private final ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
        Thread thread = new Thread(r, "workload");
        thread.setDaemon(true);
        return thread;
    });

    private CompareBench(Path work, Duration timeout, ThrottlingProxy proxy) {
        this.work = work;
        this.timeout = timeout;
        this.proxy = proxy;
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        long totalBytes = Long.parseLong(args[1]) << 20;
        int smallMax = Integer.parseInt(args[2]) << 10;
        int repoObjects = Integer.parseInt(args[3]);
        Duration latency = Duration.ofMillis(Long.parseLong(args[4]));
        long cap = Long.parseLong(args[5]) * 1_000_000;
        Duration timeout = Duration.ofSeconds(Long.parseLong(args[6]));
        Path thawfs = Path.of(args[7]);

        Path tree = work.resolve("tree");
        List<Path> files = Fixtures.bundle(tree, totalBytes, smallMax);
        List<Read> trace = Fixtures.startupTrace(tree, files, totalBytes);
        Fixtures.zip(tree, files, work.resolve("bundle.zip"));
        Path repo = work.resolve("repo");
        List<Path> repoFiles = Fixtures.repository(repo, repoObjects);
        Files.write(work.resolve("startup.trace"), trace.stream().map(Read::path).distinct().toList());
        Workset workset = Workset.of(tree, files, trace, repo, repoFiles);
        long traceBytes = trace.stream().mapToLong(Read::length).sum();
        System.out.printf("bundle: %d files, %d MiB; startup trace: %d reads of %d files, %.1f MiB; repository: %d objects%n",
                files.size(), totalBytes >> 20, trace.size(), workset.traceFiles, traceBytes / 1048576.0, repoFiles.size());

        try (S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")))) {
            s3.createBucket("bundle");
            s3.createBucket("repo");
            s3.put("bundle", "bundle.zip", Files.readAllBytes(work.resolve("bundle.zip")));
            for (Path file : files) {
                s3.put("bundle", "tree/" + tree.relativize(file), Files.readAllBytes(file));
            }
            for (Path file : repoFiles) {
                s3.put("repo", repo.relativize(file).toString(), Files.readAllBytes(file));
            }
            try (ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint.getPort(), latency, cap)) {
                URI endpoint = URI.create("http://127.0.0.1:" + proxy.port());
                CompareBench bench = new CompareBench(work, timeout, proxy);
                Mounts mounts = new Mounts(work, endpoint, thawfs);
                bench.measure("native", workset, mounts.nativeTree(tree, repo));
                bench.measure("download + extract (zip)", workset,
                        mounts.downloadAndExtract(s3.settings().withEndpoint(endpoint, true), repo));
                bench.measure("thawfs (zip)", workset, mounts.thawfs("s3://bundle/bundle.zip", null));
                bench.measure("thawfs (zip), trace prefetched", workset,
                        mounts.thawfs("s3://bundle/bundle.zip", work.resolve("startup.trace")));
                bench.measure("rclone --vfs-cache-mode full", workset, mounts.rclone());
                bench.measure("s3fs use_cache", workset, mounts.s3fs());
                bench.measure("fuse-zip (local zip)", workset, mounts.fuseZip(work.resolve("bundle.zip")));
                bench.report(latency, cap, totalBytes, files.size(), args[8]);
            }
        }
        System.exit(0); // workload threads stopped by a timeout may still be blocked in a read
    }

    /** The workloads' inputs: the trace, the files in tree order, the large files, the repository. */
    record Workset(List<Read> trace, int traceFiles, List<String> files, List<String> large, Path repo,
            List<String> repoFiles) {
        static Workset of(Path tree, List<Path> files, List<Read> trace, Path repo, List<Path> repoFiles) {
            List<String> paths = files.stream().map(f -> tree.relativize(f).toString()).toList();
            return new Workset(trace, (int) trace.stream().map(Read::path).distinct().count(), paths,
                    paths.stream().filter(p -> p.startsWith("data/")).toList(), repo,
                    repoFiles.stream().map(f -> repo.relativize(f).toString()).toList());
        }
    }

    /** Runs every workload on {@code system}: cold (empty caches, page cache dropped), then warm. */
    private void measure(String name, Workset workset, Mounts.Subject system) {
        Map<String, Figures[]> row = results.computeIfAbsent(name, n -> new LinkedHashMap<>());
        for (String workload : WORKLOADS) {
            String missing = system.unavailable(workload);
            if (missing != null) {
                row.put(workload, new Figures[] {Figures.notAvailable(missing), Figures.notAvailable(missing)});
                continue;
            }
            Figures cold = run(system, workset, workload, true);
            Figures warm = cold.note() == null || filled(system, workload) ? run(system, workset, workload, false)
                    : Figures.notAvailable("cold did not finish");
            row.put(workload, new Figures[] {cold, warm});
            System.out.printf("%-34s %-8s cold %-24s warm %-24s fetched %8.1f MiB  requests %6d%s%n", name, workload,
                    cold.time(), warm.time(), cold.bytes() / 1048576.0, cold.requests(),
                    cold.daemonRequests() >= 0 ? "  daemon requests " + cold.daemonRequests() + "/" + warm.daemonRequests() : "");
        }
    }

    /** After a stopped cold run: fills the system's cache another way (not for the repository), if it has one. */
    private static boolean filled(Mounts.Subject system, String workload) {
        try {
            return !workload.equals("repo") && system.fill();
        } catch (Exception e) {
            return false;
        }
    }

    private Figures run(Mounts.Subject system, Workset workset, String workload, boolean cold) {
        long bytes = proxy.bytes();
        long requests = proxy.requests();
        String note = null;
        double seconds = Double.NaN;
        try {
            if (cold) {
                system.reset();
                dropPageCache();
            }
            boolean repo = workload.equals("repo");
            long start = System.nanoTime();
            Path root = system.mount(repo);
            if (!workload.equals("startup") && !repo) {
                start = System.nanoTime(); // startup counts mounting; the other workloads do not
            }
            Future<?> running = runner.submit(() -> {
                switch (workload) {
                    case "startup" -> Workloads.startup(root, workset.trace());
                    case "seq" -> Workloads.sequential(root, workset.files());
                    case "rand" -> Workloads.random(root, workset.large(), 2000);
                    case "walk" -> Workloads.walk(root);
                    default -> Workloads.repository(root, workset.repoFiles());
                }
                return null;
            });
            try {
                running.get(timeout.toSeconds(), TimeUnit.SECONDS);
                seconds = (System.nanoTime() - start) / 1e9;
            } catch (TimeoutException e) {
                note = "stopped after " + timeout.toSeconds() + " s";
            }
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            note = cause.getClass().getSimpleName() + ": " + String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
        } finally {
            system.unmount();
        }
        return new Figures(seconds, proxy.bytes() - bytes, proxy.requests() - requests, system.daemonRequests(), note);
    }

    private static void dropPageCache() throws IOException, InterruptedException {
        new ProcessBuilder("sync").start().waitFor();
        Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
    }

    private double seconds(String system, String workload, int warm) {
        Figures[] figures = results.getOrDefault(system, Map.of()).get(workload);
        return figures == null || figures[warm].note() != null ? Double.NaN : figures[warm].seconds();
    }

    private String ratio(String system, String workload, int warm, String other, int otherWarm) {
        double value = seconds(system, workload, warm) / seconds(other, workload, otherWarm);
        return Double.isNaN(value) ? "na" : String.format(Locale.ROOT, "%.3f", value);
    }

    private void report(Duration latency, long cap, long totalBytes, int files, String docs) throws IOException {
        StringBuilder table = new StringBuilder("| system | workload | cold s | warm s | fetched MiB (cold) | requests (cold)"
                + " | daemon FUSE requests cold / warm |\n|---|---|---:|---:|---:|---:|---:|\n");
        results.forEach((system, row) -> row.forEach((workload, figures) -> table.append(String.format(Locale.ROOT,
                "| %s | %s | %s | %s | %.1f | %d | %s |%n", system, workload, figures[0].time(), figures[1].time(),
                figures[0].bytes() / 1048576.0, figures[0].requests(), figures[0].daemonRequests() < 0 ? "-"
                        : figures[0].daemonRequests() + " / " + figures[1].daemonRequests()))));
        String thawfs = "thawfs (zip)";
        String result = "RESULT scenario=compare"
                + " startup_vs_download=" + ratio(thawfs, "startup", 0, "download + extract (zip)", 0)
                + " startup_vs_rclone=" + ratio(thawfs, "startup", 0, "rclone --vfs-cache-mode full", 0)
                + " startup_prefetched_vs_download=" + ratio("thawfs (zip), trace prefetched", "startup", 0,
                        "download + extract (zip)", 0)
                + " warm_seq_vs_native=" + ratio(thawfs, "seq", 1, "native", 1)
                + " warm_rand_vs_native=" + ratio(thawfs, "rand", 1, "native", 1)
                + " walk_warm_vs_native=" + ratio(thawfs, "walk", 1, "native", 1)
                + " latency_ms=" + latency.toMillis() + " cap_mb_s=" + cap / 1_000_000 + " total_mib=" + (totalBytes >> 20)
                + " files=" + files;
        System.out.println();
        System.out.print(table);
        Files.writeString(work.resolve("compare.md"), table + "\n`" + result + "`\n");
        if (!docs.equals("-")) {
            Docs.writeCompareSection(Path.of(docs), table.toString(), result, latency, cap, totalBytes, files, timeout);
        }
        System.out.println(result);
    }

    /** Writes the download of one object to {@code target} with parallel ranged GETs. */
    static void download(S3Settings settings, String bucket, String key, Path target) throws IOException {
        try (S3ObjectStore store = new S3ObjectStore(settings, bucket);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 20)) {
            ObjectInfo object = store.stat(key);
            new RangeReader(store, RetryPolicy.defaults()).copy(object, 0, object.size(), out);
        }
    }

}
