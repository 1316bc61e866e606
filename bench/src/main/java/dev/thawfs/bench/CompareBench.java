package dev.thawfs.bench;

import dev.thawfs.bench.Fixtures.Read;
import dev.thawfs.bench.Mounts.Subject;
import dev.thawfs.bench.Mounts.TraceUse;
import dev.thawfs.bench.Results.Figures;
import dev.thawfs.config.S3Settings;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.ThrottlingProxy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * bench/run compare: thawfs against download-and-extract, rclone, s3fs, fuse-zip and native reads,
 * on the same fixtures, through the same loopback proxy (first-byte latency, per-connection cap),
 * each workload run by {@link Workloads} in a JVM of its own.
 *
 * <p>Usage: CompareBench WORK TOTAL_MIB SMALL_MAX_KIB REPO_OBJECTS LATENCY_MS CAP_MB TIMEOUT_S THAWFS DOCS|-
 * WORKLOADS|all SYSTEMS|all (comma-separated workload labels; system name prefixes, native always runs)
 */
public final class CompareBench {
    /** The fixed parameters of a run, printed with the results. */
    record Settings(long totalBytes, int files, int largeFiles, int smallMax, int repoObjects, Duration latency,
            long cap, Duration timeout, int randomReads, List<Read> trace) {
        long traceBytes() {
            return trace.stream().mapToLong(Read::length).sum();
        }
    }

    private static final int RANDOM_READS = 2000;
    private static final String ZIP = "bundle.zip";
    private static final String TAR_GZ = "bundle.tar.gz";

    private final Path work;
    private final Settings settings;
    private final ThrottlingProxy proxy;
    private final long started;
    private final Results results = new Results();
    private final List<String> setups = new ArrayList<>();
    private final List<String> thawfsFailures = new ArrayList<>();
    private final Set<Workload> selected;
    /** Name prefixes of the systems to run, or empty for all. */
    private final List<String> systems;
    /** Why cold runs could not drop the page cache, or null. */
    private String pageCacheKept;

    private CompareBench(Path work, Settings settings, ThrottlingProxy proxy, long started, Set<Workload> selected,
            List<String> systems) {
        this.work = work;
        this.settings = settings;
        this.proxy = proxy;
        this.started = started;
        this.selected = selected;
        this.systems = systems;
    }

    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        Path work = Path.of(args[0]);
        long totalBytes = Long.parseLong(args[1]) << 20;
        int smallMax = Integer.parseInt(args[2]) << 10;
        int repoObjects = Integer.parseInt(args[3]);
        Duration latency = Duration.ofMillis(Long.parseLong(args[4]));
        long cap = Long.parseLong(args[5]) * 1_000_000;
        Duration timeout = Duration.ofSeconds(Long.parseLong(args[6]));
        Path thawfs = Path.of(args[7]);
        Set<Workload> selected = args[9].equals("all") ? EnumSet.allOf(Workload.class) : Workload.parse(args[9]);
        List<String> systems = args[10].equals("all") ? List.of() : List.of(args[10].split(","));

        Path tree = work.resolve("tree");
        List<Path> files = Fixtures.bundle(tree, totalBytes, smallMax);
        List<Read> trace = Fixtures.startupTrace(tree, files, totalBytes);
        Fixtures.zip(tree, files, work.resolve(ZIP));
        Fixtures.tar(tree, files, work.resolve(TAR_GZ), true);
        Path repo = work.resolve("repo");
        List<Path> repoFiles = Fixtures.repository(repo, repoObjects);
        Fixtures.writeTrace(trace, work.resolve("startup.trace"));
        List<String> paths = files.stream().map(file -> tree.relativize(file).toString()).toList();
        List<String> large = paths.stream().filter(path -> path.startsWith("data/")).toList();
        List<String> repoPaths = repoFiles.stream().map(file -> repo.relativize(file).toString()).toList();
        Files.write(work.resolve("files.list"), paths);
        Files.write(work.resolve("large.list"), large);
        Files.write(work.resolve("repo.list"), repoPaths);
        Settings settings = new Settings(totalBytes, files.size(), large.size(), smallMax, repoFiles.size(), latency,
                cap, timeout, RANDOM_READS, trace);
        System.out.printf(Locale.ROOT, "bundle: %d files, %d MiB; startup trace: %d reads, %.1f MiB;"
                + " repository: %d objects%n", files.size(), totalBytes >> 20, trace.size(),
                settings.traceBytes() / 1048576.0, repoFiles.size());

        boolean thawfsFailed;
        try (S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")))) {
            upload(s3, work, tree, paths, repo, repoPaths);
            try (ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint.getPort(), latency, cap)) {
                URI endpoint = URI.create("http://127.0.0.1:" + proxy.port());
                S3Settings direct = s3.settings().withEndpoint(endpoint, true);
                Path startupTrace = work.resolve("startup.trace");
                Mounts mounts = new Mounts(work, endpoint, thawfs);
                CompareBench bench = new CompareBench(work, settings, proxy, started, selected, systems);
                Set<Workload> all = EnumSet.allOf(Workload.class);
                Set<Workload> startup = EnumSet.of(Workload.STARTUP);
                bench.measure(mounts.nativeTree(tree, repo), all);
                bench.measure(mounts.downloadAndExtract(direct, "bundle", ZIP), all);
                bench.measure(mounts.downloadAndExtract(direct, "bundle", TAR_GZ), startup);
                bench.measure(mounts.thawfs("s3://bundle/" + ZIP, startupTrace, TraceUse.NONE), all);
                bench.measure(mounts.thawfs("s3://bundle/" + ZIP, startupTrace, TraceUse.PREFETCH_THEN_MOUNT), startup);
                bench.measure(mounts.thawfs("s3://bundle/" + ZIP, startupTrace, TraceUse.MOUNT_PREFETCHING), startup);
                bench.measure(mounts.rclone(), all);
                bench.measure(mounts.s3fs(), all);
                bench.measure(mounts.fuseZip(work.resolve(ZIP)), all);
                bench.report(args[8]);
                thawfsFailed = !bench.thawfsFailures.isEmpty();
            }
        }
        System.exit(thawfsFailed ? 1 : 0);
    }

    /** The zip and the tar.gz, the bundle's files as the prefix tree/ and the repository, four at a time. */
    private static void upload(S3ProxyServer s3, Path work, Path tree, List<String> paths, Path repo,
            List<String> repoPaths) throws Exception {
        s3.createBucket("bundle");
        s3.createBucket("repo");
        s3.put("bundle", ZIP, Files.readAllBytes(work.resolve(ZIP)));
        s3.put("bundle", TAR_GZ, Files.readAllBytes(work.resolve(TAR_GZ)));
        ExecutorService uploads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            paths.forEach(path -> done.add(uploads.submit(() -> put(s3, "bundle", "tree/" + path, tree.resolve(path)))));
            repoPaths.forEach(path -> done.add(uploads.submit(() -> put(s3, "repo", path, repo.resolve(path)))));
            for (Future<?> upload : done) {
                upload.get();
            }
        } finally {
            uploads.shutdown();
        }
    }

    private static void put(S3ProxyServer s3, String bucket, String key, Path file) {
        try {
            s3.put(bucket, key, Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs {@code workloads} on {@code system}: cold (empty caches, page cache dropped), then warm. */
    private void measure(Subject system, Set<Workload> wanted) {
        Set<Workload> workloads = EnumSet.noneOf(Workload.class);
        workloads.addAll(wanted);
        workloads.retainAll(selected);
        if (workloads.isEmpty() || !system.name().equals(Results.NATIVE)
                && !systems.isEmpty() && systems.stream().noneMatch(system.name()::startsWith)) {
            return;
        }
        setups.add("- **" + system.name() + "**: " + system.setup());
        for (Workload workload : workloads) {
            String missing = system.unavailable(workload);
            Figures cold = missing != null ? Figures.notAvailable(missing) : run(system, workload, true);
            Figures warm = missing != null ? Figures.notAvailable("")
                    : cold.measured() || filled(system, workload) ? run(system, workload, false)
                    : Figures.notAvailable("no cold run");
            results.put(workload, system.name(), cold, warm);
            long seconds = Duration.ofNanos(System.nanoTime() - started).toSeconds();
            System.out.printf(Locale.ROOT, "[%2d:%02d] %-38s %-8s cold %-22s warm %-22s fetched %7.1f MiB"
                    + "  requests %6d%s%n", seconds / 60, seconds % 60, system.name(), workload.label, cold.time(),
                    warm.time(), cold.bytes() / 1048576.0, cold.requests(),
                    cold.daemonRequests() >= 0 ? "  daemon requests " + cold.daemonRequests() : "");
        }
    }

    /** After a stopped cold run: fills the system's cache another way (not for the repository), if it has one. */
    private static boolean filled(Subject system, Workload workload) {
        try {
            return !workload.repository() && system.fill();
        } catch (Exception e) {
            return false;
        }
    }

    private Figures run(Subject system, Workload workload, boolean cold) {
        long bytes = proxy.bytes();
        long requests = proxy.requests();
        double seconds = Double.NaN;
        double preparing = Double.NaN;
        long amount = -1;
        String note = null;
        try {
            if (cold) {
                system.reset();
                dropPageCache();
            }
            long start = System.nanoTime();
            Path root = system.mount(workload.repository());
            preparing = cold || workload.remounts ? (System.nanoTime() - start) / 1e9 : 0;
            String said = Commands.run(workloadCommand(workload, root), work, env -> { }, settings.timeout());
            seconds = preparing + Long.parseLong(said.replaceAll("(?s).*elapsed_ns=(\\d+).*", "$1")) / 1e9;
            amount = Long.parseLong(said.replaceAll("(?s).*amount=(\\d+).*", "$1"));
            note = wrongAmount(workload, amount);
        } catch (Commands.Stopped e) {
            note = e.getMessage();
        } catch (Exception e) {
            note = e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse("");
        } finally {
            system.unmount();
        }
        if (note != null && !note.startsWith("stopped") && system.name().startsWith(Results.THAWFS)) {
            thawfsFailures.add(system.name() + ", " + workload.label + (cold ? " cold: " : " warm: ") + note);
        }
        return new Figures(seconds, preparing, proxy.bytes() - bytes, proxy.requests() - requests,
                system.daemonRequests(), amount, note);
    }

    /** {@code java ... Workloads WORKLOAD ROOT ...}, the same command for every system. */
    private List<String> workloadCommand(Workload workload, Path root) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Workloads.class.getName()));
        command.addAll(switch (workload) {
            case STARTUP -> List.of("trace", root.toString(), "startup.trace");
            case SEQ -> List.of("seq", root.toString(), "files.list");
            case RAND -> List.of("rand", root.toString(), "large.list", Integer.toString(settings.randomReads()));
            case WALK -> List.of("walk", root.toString());
            case REPO -> List.of("repo", root.toString(), "repo.list");
        });
        return command;
    }

    /** Every system serves the same files: a workload that read another amount than natively did is wrong. */
    private String wrongAmount(Workload workload, long amount) {
        Figures reference = results.reference(workload);
        if (reference == null || reference.amount() < 0 || reference.amount() == amount) {
            return null;
        }
        return "read " + amount + (workload == Workload.WALK ? " entries" : " bytes") + ", natively " + reference.amount();
    }

    /** Empties the page cache (sync, then drop_caches); where that is not allowed, says so once and goes on. */
    private void dropPageCache() throws InterruptedException {
        try {
            new ProcessBuilder("sync").start().waitFor();
            Files.writeString(Path.of("/proc/sys/vm/drop_caches"), "3");
        } catch (IOException e) {
            if (pageCacheKept == null) {
                pageCacheKept = e.toString();
                System.err.println("compare: cannot drop the page cache, cold runs keep it: " + e);
            }
        }
    }

    /** Prints the table and the RESULT line (last), and writes them with how they were measured. */
    private void report(String docs) throws IOException {
        String table = results.table() + (pageCacheKept == null ? ""
                : "\nCold runs kept the page cache: it could not be dropped (" + pageCacheKept + ").\n");
        String result = "RESULT scenario=compare " + results.ratios() + " latency_ms=" + settings.latency().toMillis()
                + " cap_mb_s=" + settings.cap() / 1_000_000 + " total_mib=" + (settings.totalBytes() >> 20);
        String section = Docs.compareSection(settings, setups, table, result, work,
                Duration.ofNanos(System.nanoTime() - started));
        Files.writeString(work.resolve("compare.md"), section);
        if (!docs.equals("-")) {
            Docs.replaceSection(Path.of(docs), section);
        }
        System.out.println();
        System.out.print(table);
        thawfsFailures.forEach(failure -> System.err.println("compare: thawfs failed: " + failure));
        System.out.println(result);
    }
}
