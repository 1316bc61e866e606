package dev.thawfs.bench;

import dev.thawfs.bench.Mounts.Subject;
import dev.thawfs.bench.Mounts.TraceUse;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.ThrottlingProxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * bench/run mount-latency: {@code thawfs mount --daemon} until a stat of the mount answers, of a
 * local zip (warm store) and of the same zip on S3 (warm and cold store), against {@code rclone
 * mount} of the prefix holding it; the median of RUNS mounts each.
 *
 * <p>Usage: MountLatencyBench WORK_DIR TOTAL_MIB LATENCY_MS CAP_MB_PER_S RUNS THAWFS
 */
public final class MountLatencyBench {
    /** rclone mounts the repository bucket: put the zip there, so both mount the same prefix. */
    private static final String BUCKET = "repo";
    private static final String ZIP = "bundle.zip";

    private static Path thawfs;

    private MountLatencyBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        long totalBytes = Long.parseLong(args[1]) << 20;
        Duration latency = Duration.ofMillis(Long.parseLong(args[2]));
        long cap = Long.parseLong(args[3]) * 1_000_000;
        int runs = Integer.parseInt(args[4]);
        thawfs = Path.of(args[5]);

        Path tree = work.resolve("tree");
        List<Path> files = Fixtures.bundle(tree, totalBytes, 4 << 10);
        Path zip = work.resolve(ZIP);
        Fixtures.zip(tree, files, zip);
        System.out.printf(Locale.ROOT, "zip: %d files, %d MiB; %d ms first-byte latency, %d MB/s; median of %d%n",
                files.size(), Files.size(zip) >> 20, latency.toMillis(), cap / 1_000_000, runs);
        try (S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")))) {
            s3.createBucket(BUCKET);
            s3.put(BUCKET, ZIP, Files.readAllBytes(zip));
            try (ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint.getPort(), latency, cap)) {
                Mounts mounts = new Mounts(work, URI.create("http://127.0.0.1:" + proxy.port()), thawfs);
                double warmLocal = median(mounts.thawfs(zip.toString(), null, TraceUse.NONE), false, false, runs);
                double warmS3 = median(mounts.thawfs("s3://" + BUCKET + "/" + ZIP, null, TraceUse.NONE), false, false, runs);
                double coldS3 = median(mounts.thawfs("s3://" + BUCKET + "/" + ZIP, null, TraceUse.NONE), true, false, runs);
                Subject rclone = mounts.rclone();
                String why = rclone.unavailable(Workload.REPO);
                double rcloneSeconds = why == null ? median(rclone, false, true, runs) : Double.NaN;
                System.out.printf(Locale.ROOT, "%-40s %8.3f s%n%-40s %8.3f s%n%-40s %8.3f s%n%-40s %8s%n",
                        "thawfs, local zip, warm store", warmLocal, "thawfs, S3 zip, warm store", warmS3,
                        "thawfs, S3 zip, cold store", coldS3, "rclone mount of s3://" + BUCKET + "/",
                        why == null ? String.format(Locale.ROOT, "%.3f s", rcloneSeconds) : "n/a (" + why + ")");
                System.out.printf(Locale.ROOT, "RESULT scenario=mount-latency warm_local_s=%.3f warm_s3_s=%.3f"
                        + " cold_s3_s=%.3f vs_rclone=%s rclone_s=%s cold_vs_rclone=%s latency_ms=%d runs=%d%n",
                        warmLocal, warmS3, coldS3, ratio(warmS3, rcloneSeconds), figure(rcloneSeconds),
                        ratio(coldS3, rcloneSeconds), latency.toMillis(), runs);
            }
        }
    }

    /**
     * The median of {@code runs} times from starting the mount until a stat of its root answers,
     * after one untimed mount; each mount cold ({@link Subject#reset} before it) or warm.
     *
     * @param prefix mount the bucket (rclone) rather than the subject's artifact
     */
    private static double median(Subject subject, boolean cold, boolean prefix, int runs) throws Exception {
        List<Double> seconds = new ArrayList<>();
        subject.reset();
        subject.mount(prefix); // untimed: what a first mount does once (e.g. bin/thawfs listing its classes)
        subject.unmount();
        awaitClassDataSharing();
        for (int i = 0; i < runs; i++) {
            if (cold) {
                subject.reset();
            }
            long start = System.nanoTime();
            try {
                Files.readAttributes(subject.mount(prefix), "unix:ino");
                seconds.add((System.nanoTime() - start) / 1e9);
            } finally {
                subject.unmount();
            }
        }
        Collections.sort(seconds);
        return seconds.get(runs / 2);
    }

    /**
     * Waits until bin/thawfs has made its class-data sharing archive, when a mount just started
     * that in the background (holding a lock on the class list), so it does not compete with the
     * timed mounts.
     */
    private static void awaitClassDataSharing() throws Exception {
        Path classes = thawfs.toAbsolutePath().getParent().resolveSibling("cli/target/thawfs.jsa.classes");
        if (Files.exists(classes)) {
            new ProcessBuilder("flock", classes.toString(), "true").inheritIO().start().waitFor();
        }
    }

    private static String ratio(double seconds, double rcloneSeconds) {
        return Double.isNaN(rcloneSeconds) ? "n/a" : String.format(Locale.ROOT, "%.2f", seconds / rcloneSeconds);
    }

    private static String figure(double seconds) {
        return Double.isNaN(seconds) ? "n/a" : String.format(Locale.ROOT, "%.3f", seconds);
    }
}
