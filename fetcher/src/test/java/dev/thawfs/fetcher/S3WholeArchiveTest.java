package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.config.HttpSettings;
import dev.thawfs.config.S3Settings;
import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.FaultProxy;
import dev.thawfs.testkit.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Whole archives fetched the way {@code thawfs prefetch --all} does (index, then every file in
 * archive order, announced in batches, several at once) from a real S3 server behind a proxy
 * that breaks a request: each byte of a tar fetched once, a tar.gz in parallel parts.
 */
class S3WholeArchiveTest {
    private static final RangeReader.Parallelism PARTS = new RangeReader.Parallelism(1 << 20, 4);

    @TempDir
    static Path work;
    private static S3ProxyServer s3;
    private static FaultProxy faults;
    private static Path tree;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("bundles");
        faults = new FaultProxy(s3.endpoint.getPort());
        tree = work.resolve("tree");
        Random random = new Random(11);
        for (int i = 0; i < 1200; i++) {
            Path file = tree.resolve("lib" + i / 100 + "/f" + i + ".class");
            Files.createDirectories(file.getParent());
            byte[] content = new byte[1 + random.nextInt(32 << 10)];
            random.nextBytes(content);
            Files.write(file, content);
            if (i % 400 == 200) { // large files between the small ones: 3, 7 and 11 MiB
                byte[] large = new byte[(1 + i / 100) << 20];
                random.nextBytes(large);
                Files.write(tree.resolve("lib" + i / 100 + "/data" + i + ".bin"), large);
            }
        }
        Commands.check(tree, "tar", "cf", "../bundle.tar", ".");
        Commands.check(tree, "tar", "czf", "../bundle.tar.gz", ".");
        s3.put("bundles", "bundle.tar", Files.readAllBytes(work.resolve("bundle.tar")));
        s3.put("bundles", "bundle.tar.gz", Files.readAllBytes(work.resolve("bundle.tar.gz")));
    }

    @AfterAll
    static void stop() throws Exception {
        faults.close();
        s3.close();
    }

    private static ArtifactReader open(String uri) throws Exception {
        S3Settings settings = s3.settings().withEndpoint(URI.create("http://127.0.0.1:" + faults.port()), true);
        FetchOptions options = new FetchOptions(settings, HttpSettings.defaults(),
                new RetryPolicy(5, Duration.ofMillis(5), Duration.ofMillis(50)), PARTS, ArchiveLimits.defaults(),
                SeekIndexOptions.defaults());
        return Artifacts.open(uri, options, work.resolve("scratch"));
    }

    @Test
    void aTarsScanAndItsFilesFetchEachByteOnceAtMost() throws Exception {
        try (ArtifactReader tar = open("s3://bundles/bundle.tar")) {
            faults.plan(FaultProxy.Fault.NONE, FaultProxy.Fault.NONE, FaultProxy.Fault.TRUNCATE);
            Map<String, byte[]> files = fetchAll(tar);
            assertEquals(expected(tree), files.keySet().stream().sorted().toList());
            files.forEach((path, content) -> assertArrayEquals(read(tree.resolve(path)), content, path));
            long size = Files.size(work.resolve("bundle.tar"));
            assertTrue(tar.counters().bytes() <= size, "fetched " + tar.counters().bytes() + " bytes of a " + size
                    + "-byte tar: the scan's windows were fetched again");
            assertEquals(1, tar.counters().retries(), "the cut-short body was resumed");
            assertTrue(tar.counters().requests() < files.size() / 10, tar.counters().requests() + " requests for "
                    + files.size() + " files");
        }
    }

    @Test
    void aTarGzIsFetchedInParallelPartsAndEqualsWhatTarExtracts() throws Exception {
        Path extracted = Files.createDirectories(work.resolve("extracted"));
        Commands.check(extracted, "tar", "-xzf", "../bundle.tar.gz");
        try (ArtifactReader tgz = open("s3://bundles/bundle.tar.gz")) {
            long before = tgz.counters().requests();
            faults.plan(FaultProxy.Fault.NONE, FaultProxy.Fault.NONE, FaultProxy.Fault.TRUNCATE,
                    FaultProxy.Fault.NONE, FaultProxy.Fault.SERVICE_UNAVAILABLE);
            Map<String, byte[]> files = fetchAll(tgz);
            assertEquals(expected(extracted), files.keySet().stream().sorted().toList());
            files.forEach((path, content) -> assertArrayEquals(read(extracted.resolve(path)), content, path));
            long size = Files.size(work.resolve("bundle.tar.gz"));
            assertTrue(tgz.counters().retries() >= 1, "a part failed and was retried: " + tgz.counters());
            assertTrue(tgz.counters().bytes() <= size, tgz.counters() + " for a " + size + "-byte tar.gz");
            long parts = (size + PARTS.partSize() - 1) / PARTS.partSize();
            assertTrue(tgz.counters().requests() - before >= parts, "one request per part at least: " + tgz.counters());
        }
    }

    /** Every file's content, fetched as prefetch --all does. */
    private static Map<String, byte[]> fetchAll(ArtifactReader artifact) throws Exception {
        List<IndexEntry> files = Indexes.index(artifact).stream().filter(e -> e.type() == EntryType.FILE).toList();
        Map<String, Future<byte[]>> fetches = new LinkedHashMap<>();
        ExecutorService workers = Executors.newFixedThreadPool(8);
        try {
            for (int from = 0; from < files.size(); from += 256) {
                List<IndexEntry> batch = files.subList(from, Math.min(files.size(), from + 256));
                artifact.expect(batch.stream().map(IndexEntry::locator).toList());
                for (IndexEntry entry : batch) {
                    fetches.put(entry.path(), workers.submit(() -> {
                        ByteArrayOutputStream content = new ByteArrayOutputStream();
                        artifact.extract(entry.locator(), entry.size(), content);
                        return content.toByteArray();
                    }));
                }
            }
            Map<String, byte[]> contents = new LinkedHashMap<>();
            for (Map.Entry<String, Future<byte[]>> fetch : fetches.entrySet()) {
                contents.put(fetch.getKey(), fetch.getValue().get());
            }
            return contents;
        } finally {
            workers.shutdownNow();
        }
    }

    private static List<String> expected(Path root) throws Exception {
        List<String> paths = new ArrayList<>();
        try (var walk = Files.walk(root)) {
            walk.filter(Files::isRegularFile).forEach(file -> paths.add(root.relativize(file).toString()));
        }
        return paths.stream().sorted().toList();
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
