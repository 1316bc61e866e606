package dev.thawfs.bench;

import dev.thawfs.config.S3Settings;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.ThrottlingProxy;
import java.nio.file.Files;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/run prefetch: an operator readying a machine before a job, {@code thawfs prefetch --all}
 * (the command line, as operators run it) against download + extract, for the same bundle as
 * zip, uncompressed tar and tar.gz on S3 behind first-byte latency and a bandwidth cap.
 *
 * <p>Usage: PrefetchBench WORK_DIR TOTAL_MIB LATENCY_MS CAP_MB_PER_S THAWFS
 */
public final class PrefetchBench {
    private static final String BUCKET = "prefetch";
    private static final List<String> ARTIFACTS = List.of("bundle.zip", "bundle.tar", "bundle.tar.gz");
    private static final Duration LIMIT = Duration.ofMinutes(10);

    private PrefetchBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        long totalBytes = Long.parseLong(args[1]) << 20;
        Duration latency = Duration.ofMillis(Long.parseLong(args[2]));
        long cap = Long.parseLong(args[3]) * 1_000_000;
        String thawfs = args[4];

        Path tree = work.resolve("tree");
        List<Path> files = Fixtures.bundle(tree, totalBytes, 64 << 10);
        Fixtures.zip(tree, files, work.resolve("bundle.zip"));
        Fixtures.tar(tree, files, work.resolve("bundle.tar"), false);
        Fixtures.tar(tree, files, work.resolve("bundle.tar.gz"), true);

        try (S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")))) {
            s3.createBucket(BUCKET);
            for (String name : ARTIFACTS) {
                s3.put(BUCKET, name, Files.readAllBytes(work.resolve(name)));
            }
            try (ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint.getPort(), latency, cap)) {
                String endpoint = "http://127.0.0.1:" + proxy.port();
                S3Settings settings = s3.settings().withEndpoint(URI.create(endpoint), true);
                System.out.printf(Locale.ROOT, "bundle: %d files, %.0f MiB; %d ms first-byte latency, %d MB/s per"
                        + " connection%n", files.size(), totalBytes / 1048576.0, latency.toMillis(), cap / 1_000_000);
                System.out.printf(Locale.ROOT, "%-40s %10s %12s %10s%n", "", "seconds", "fetched MiB", "requests");
                StringBuilder result = new StringBuilder("RESULT scenario=prefetch");
                for (String name : ARTIFACTS) {
                    Run download = measure(proxy, () -> {
                        Path archive = work.resolve("download-" + name);
                        Download.object(settings, BUCKET, name, archive);
                        Download.extract(archive, work.resolve("extracted-" + name));
                    });
                    Run prefetch = measure(proxy, () -> Commands.run(List.of(thawfs, "prefetch", "--all",
                            "--store", work.resolve("store-" + name).toString(), "--s3-endpoint", endpoint,
                            "s3://" + BUCKET + "/" + name), work, PrefetchBench::credentials, LIMIT));
                    print("download + extract, " + name, download);
                    print("thawfs prefetch --all, " + name, prefetch);
                    result.append(String.format(Locale.ROOT, " %s_vs_download=%.3f",
                            name.substring("bundle.".length()).replace('.', '_'), prefetch.seconds() / download.seconds()));
                }
                System.out.println(result.append(" latency_ms=").append(latency.toMillis()).append(" cap_mb_s=")
                        .append(cap / 1_000_000).append(" total_mib=").append(totalBytes >> 20));
            }
        }
    }

    private record Run(double seconds, long bytes, long requests) {
    }

    private static Run measure(ThrottlingProxy proxy, StartupBench.Action action) throws Exception {
        long bytes = proxy.bytes();
        long requests = proxy.requests();
        long nanos = StartupBench.time(action);
        return new Run(nanos / 1e9, proxy.bytes() - bytes, proxy.requests() - requests);
    }

    private static void print(String what, Run run) {
        System.out.printf(Locale.ROOT, "%-40s %10.2f %12.1f %10d%n", what, run.seconds(), run.bytes() / 1048576.0,
                run.requests());
    }

    private static void credentials(Map<String, String> environment) {
        environment.put("AWS_ACCESS_KEY_ID", S3ProxyServer.IDENTITY);
        environment.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIAL);
        environment.put("AWS_EC2_METADATA_DISABLED", "true");
    }
}
