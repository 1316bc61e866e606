package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.thaw.ThawFilesystem;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mount.metrics on a real mount of an artifact on S3 (S3Proxy on 127.0.0.1): what GET /metrics answers. */
class MetricsEndToEndTest {
    @TempDir
    Path work;
    private S3ProxyServer s3;
    private ThawfsProcesses processes;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void artifact() throws Exception {
        FuseTestSupport.assumeFuse();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("builds");
        Trees.create(work.resolve("tree"));
        Commands.check(work.resolve("tree"), "zip", "-qry", "../app.zip", "pkg");
        s3.put("builds", "app.zip", Files.readAllBytes(work.resolve("app.zip")));
        processes = new ThawfsProcesses(work);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (processes != null) {
            processes.close();
        }
        if (s3 != null) {
            s3.close();
        }
        FuseTestSupport.assertNoMountsLeft(work);
    }

    private HttpResponse<String> get(String address) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Each sample ({@code name{labels} value}) by name and labels; fails on a line that is neither
     * a sample nor a comment, and on a histogram whose buckets are not cumulative up to its count.
     */
    private static Map<String, Double> parse(String exposition) {
        Map<String, Double> samples = new HashMap<>();
        for (String line : exposition.split("\n")) {
            if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
                continue;
            }
            assertTrue(line.matches("[a-z_]+(\\{[a-z_]+=\"[^\"]*\"(,[a-z_]+=\"[^\"]*\")*\\})? [-+.0-9eE]+"),
                    "not a sample: " + line);
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        samples.forEach((name, value) -> {
            if (name.endsWith("_count")) {
                String base = name.substring(0, name.length() - "_count".length());
                String labels = base.contains("{") ? base.substring(base.indexOf('{') + 1, base.length() - 1) + "," : "";
                String bucketName = base.contains("{") ? base.substring(0, base.indexOf('{')) : base;
                assertEquals(value, samples.get(bucketName + "_bucket{" + labels + "le=\"+Inf\"}"), name);
                double previous = 0;
                for (Map.Entry<String, Double> bucket : samples.entrySet().stream()
                        .filter(e -> e.getKey().startsWith(bucketName + "_bucket{" + labels + "le=\"")
                                && !e.getKey().contains("+Inf"))
                        .sorted(Map.Entry.comparingByKey((a, b) -> Double.compare(le(a), le(b)))).toList()) {
                    assertTrue(bucket.getValue() >= previous, "buckets not cumulative at " + bucket.getKey());
                    previous = bucket.getValue();
                }
            }
        });
        return samples;
    }

    private static double le(String bucket) {
        return Double.parseDouble(bucket.replaceAll(".*le=\"([^\"]+)\".*", "$1"));
    }

    /**
     * The samples once no fetch runs: a read returns as soon as its bytes are in the store, the
     * store counts a file (and the fetch its duration) only once it is complete.
     */
    private Map<String, Double> settled(String address) throws IOException, InterruptedException {
        for (int i = 0; i < 3000; i++) {
            Map<String, Double> samples = parse(get(address).body());
            if (sample(samples, "thawfs_fetches_running") == 0) {
                return samples;
            }
            LockSupport.parkNanos(100_000_000);
        }
        throw new AssertionError("fetches still running after 5 minutes");
    }

    private static double sample(Map<String, Double> samples, String name) {
        return samples.getOrDefault(name, 0.0);
    }

    @Test
    void countersMoveWithReadsAndFetches() throws Exception {
        Path mountpoint = Files.createDirectory(work.resolve("mnt"));
        Process daemon = processes.mount(mountpoint, List.of("--store", work.resolve("store").toString(),
                "--s3-endpoint", s3.endpoint.toString(), "--passthrough", "off", "-o", "budget=256MiB,metrics=0",
                "s3://builds/app.zip"));
        String address = StatusReport.parse(NativeFiles.getxattr(mountpoint, ThawFilesystem.STATUS_XATTR))
                .values().get("metrics");
        assertTrue(address.startsWith("127.0.0.1:"), "a port alone binds the loopback address: " + address);

        HttpResponse<String> first = get(address);
        assertEquals(200, first.statusCode());
        assertEquals(PrometheusText.CONTENT_TYPE, first.headers().firstValue("Content-Type").orElse(""));
        Map<String, Double> before = parse(first.body());
        assertEquals(256.0 * (1 << 20), sample(before, "thawfs_store_budget_bytes"));
        String info = "thawfs_mount_info{store=\"" + work.resolve("store") + "\",tier=";
        assertTrue(before.entrySet().stream().anyMatch(e -> e.getKey().startsWith(info) && e.getValue() == 1), info);

        for (String file : new String[] {"pkg/lib/f4.bin", "pkg/lib/f3.bin", "pkg/lib/compressible.txt"}) {
            assertArrayEquals(Files.readAllBytes(work.resolve("tree").resolve(file)),
                    Files.readAllBytes(mountpoint.resolve(file)), file);
        }
        Map<String, Double> after = settled(address);
        String read = "{opcode=\"READ\"}";
        assertTrue(sample(after, "thawfs_fuse_requests_total{opcode=\"OPEN\"}")
                >= sample(before, "thawfs_fuse_requests_total{opcode=\"OPEN\"}") + 3, "opens");
        assertTrue(sample(after, "thawfs_fuse_requests_total" + read)
                > sample(before, "thawfs_fuse_requests_total" + read), "reads");
        assertTrue(sample(after, "thawfs_fuse_request_duration_seconds_count" + read) > 0, "read latencies");
        assertTrue(sample(after, "thawfs_fuse_read_bytes_total")
                >= sample(before, "thawfs_fuse_read_bytes_total") + (1 << 20) + 70_000, "bytes served by READ");
        assertTrue(sample(after, "thawfs_object_store_bytes_total")
                > sample(before, "thawfs_object_store_bytes_total") + (1 << 20), "fetched from S3");
        assertTrue(sample(after, "thawfs_fetch_duration_seconds_count")
                >= sample(before, "thawfs_fetch_duration_seconds_count") + 3, "fetches timed");
        assertTrue(sample(after, "thawfs_artifact_materialized_files{artifact=\"s3://builds/app.zip\"}") >= 3,
                "materialized files");
        assertTrue(sample(after, "thawfs_store_bytes") >= (1 << 20) + 70_000, "store bytes");

        assertEquals(405, http.send(HttpRequest.newBuilder(URI.create("http://" + address + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        assertEquals(0, processes.stop(daemon), processes.stderr(daemon));
        assertThrows(ConnectException.class, () -> get(address), "the metrics go with the mount");
    }
}
