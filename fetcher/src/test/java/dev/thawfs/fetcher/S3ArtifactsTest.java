package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.Trees;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Artifacts on a real S3 server (S3Proxy on 127.0.0.1): few requests, pinned identities. */
class S3ArtifactsTest {
    @TempDir
    static Path work;
    private static S3ProxyServer s3;
    private static Path tree;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(work.resolve("s3"));
        s3 = new S3ProxyServer(work.resolve("s3"));
        s3.createBucket("artifacts");
        tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        Commands.check(tree, "tar", "cf", "../app.tar", "pkg");
        s3.put("artifacts", "builds/app.zip", Files.readAllBytes(work.resolve("app.zip")));
        s3.put("artifacts", "builds/app.tar", Files.readAllBytes(work.resolve("app.tar")));
        s3.put("artifacts", "repo/org/a/a-1.jar", "jar a".getBytes());
        s3.put("artifacts", "repo/org/a/a-1.jar.sha1", "sha a".getBytes());
        s3.put("artifacts", "repo/org/b/b-2.jar", "jar b".getBytes());
        s3.put("artifacts", "builds/odd #1 %41.bin", Files.readAllBytes(work.resolve("app.zip")));
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    private static ArtifactReader open(String uri) throws Exception {
        return Artifacts.open(uri, FetchOptions.defaults(s3.settings()), work.resolve("scratch"));
    }

    @Test
    void aZipsIndexAndOneEntryCostAFewRequests() throws Exception {
        try (ArtifactReader zip = open("s3://artifacts/builds/app.zip")) {
            long before = zip.counters().requests();
            List<IndexEntry> index = Indexes.index(zip);
            IndexEntry entry = index.stream().filter(e -> e.path().equals("pkg/lib/f4.bin")).findFirst().orElseThrow();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            zip.extract(entry.locator(), entry.size(), bytes);
            assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/lib/f4.bin")), bytes.toByteArray());
            long requests = zip.counters().requests() - before;
            long symlinks = index.stream().filter(e -> e.type() == EntryType.SYMLINK).count();
            assertTrue(requests <= 3 + symlinks, "index + one entry took " + requests
                    + " requests (a symlink's target is its content: one more each)");
            assertEquals(Trees.describe(tree), Indexes.describe(index));
        }
    }

    @Test
    void aKeyIsTakenLiterallyAndAFormatAfterItSaysWhatTheObjectIs() throws Exception {
        String source = "s3://artifacts/builds/odd #1 %41.bin#zip";
        try (ArtifactReader zip = open(source)) {
            assertEquals(source, zip.uri());
            assertEquals(Trees.describe(tree), Indexes.describe(Indexes.index(zip)));
        }
        BadArtifactException unnamed = assertThrows(BadArtifactException.class,
                () -> open("s3://artifacts/builds/odd #1 %41.bin"));
        assertTrue(unnamed.getMessage().contains("unknown artifact format") && unnamed.getMessage().contains("#zip"),
                unnamed.getMessage());
    }

    @Test
    void aTarEntryTheScanHeldCostsNoRequestAndOneItPassedOverOneRangedRead() throws Exception {
        Path big = bigTar();
        try (ArtifactReader tar = open("s3://artifacts/builds/big.tar")) {
            List<IndexEntry> index = Indexes.index(tar);
            for (String name : new String[] {"data/part2.sha256", "data/part2.bin"}) {
                IndexEntry entry = index.stream().filter(e -> e.path().equals(name)).findFirst().orElseThrow();
                long requests = tar.counters().requests();
                long bytes = tar.counters().bytes();
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                tar.extract(entry.locator(), entry.size(), content);
                assertArrayEquals(Files.readAllBytes(big.resolve(name)), content.toByteArray());
                assertEquals(entry.size() < 1 << 20 ? 0 : 1, tar.counters().requests() - requests, name);
                assertTrue(tar.counters().bytes() - bytes < entry.size() || entry.size() == 0,
                        name + ": the scan's window holding its first bytes is used, not fetched again");
            }
        }
    }

    @Test
    void aTarsHeaderScanFetchesHeadersNotTheDataBetweenThem() throws Exception {
        Path big = bigTar();
        try (ArtifactReader tar = open("s3://artifacts/builds/big.tar")) {
            long before = tar.counters().bytes();
            List<IndexEntry> index = Indexes.index(tar);
            long fetched = tar.counters().bytes() - before;
            long size = Files.size(work.resolve("big.tar"));
            assertEquals(Trees.describe(big), Indexes.describe(index));
            assertTrue(fetched < size / 4, "the scan of a " + size + "-byte tar fetched " + fetched
                    + " bytes: it read the entries' data instead of passing over it");
        }
    }

    /** A tar of four 8 MiB files, each with a small checksum file, on S3 as builds/big.tar; returns its tree. */
    private static synchronized Path bigTar() throws Exception {
        Path big = work.resolve("big");
        if (Files.exists(work.resolve("big.tar"))) {
            return big;
        }
        Files.createDirectories(big.resolve("data"));
        Random random = new Random(7);
        for (int i = 0; i < 4; i++) {
            byte[] content = new byte[8 << 20];
            random.nextBytes(content);
            Files.write(big.resolve("data/part" + i + ".bin"), content);
            Files.writeString(big.resolve("data/part" + i + ".sha256"), "checksum " + i);
        }
        Commands.check(big, "tar", "cf", "../big.tar", "data");
        s3.put("artifacts", "builds/big.tar", Files.readAllBytes(work.resolve("big.tar")));
        return big;
    }

    /** A zip of 64 small files, on S3 as {@code key}; returns their contents by path. */
    private static Map<String, byte[]> smallFilesZip(String key) throws Exception {
        return smallFilesZip(key, 64);
    }

    /** A zip of {@code count} incompressible files of 1-17 KB, on S3 as {@code key}; returns their contents by path. */
    private static Map<String, byte[]> smallFilesZip(String key, int count) throws Exception {
        Path dir = work.resolve("small-" + key.replace('/', '-'));
        Files.createDirectories(dir.resolve("classes"));
        Random random = new Random(11);
        Map<String, byte[]> contents = new java.util.TreeMap<>();
        for (int i = 0; i < count; i++) {
            byte[] content = new byte[1000 + random.nextInt(16_000)];
            random.nextBytes(content);
            Files.write(dir.resolve("classes/C" + i + ".class"), content);
            contents.put("classes/C" + i + ".class", content);
        }
        Commands.check(dir, "zip", "-qr", "../" + dir.getFileName() + ".zip", "classes");
        s3.put("artifacts", key, Files.readAllBytes(work.resolve(dir.getFileName() + ".zip")));
        return contents;
    }

    @Test
    void expectedNeighboursAreFetchedTogetherEvenWhenAskedForAtOnce() throws Exception {
        Map<String, byte[]> contents = smallFilesZip("builds/classes.zip");
        try (ArtifactReader zip = open("s3://artifacts/builds/classes.zip")) {
            List<IndexEntry> files = Indexes.index(zip).stream().filter(e -> e.type() == EntryType.FILE).toList();
            long before = zip.counters().requests();
            zip.expect(files.stream().map(IndexEntry::locator).toList());
            Map<String, byte[]> extracted = new java.util.concurrent.ConcurrentHashMap<>();
            files.parallelStream().forEach(entry -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                try {
                    zip.extract(entry.locator(), entry.size(), bytes);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                extracted.put(entry.path(), bytes.toByteArray());
            });
            long requests = zip.counters().requests() - before;
            assertEquals(contents.keySet(), extracted.keySet());
            contents.forEach((path, content) -> assertArrayEquals(content, extracted.get(path), path));
            assertTrue(requests <= 2, "64 expected neighbours took " + requests + " requests");

            long alone = zip.counters().requests();
            zip.extract(files.get(0).locator(), files.get(0).size(), OutputStream.nullOutputStream());
            assertEquals(1, zip.counters().requests() - alone, "once claimed, a span is gone: the next read is its own");
        }
    }

    @Test
    void aWholeArchiveExpectedAtOnceIsReadInSpansOneAfterTheOther() throws Exception {
        Map<String, byte[]> contents = smallFilesZip("builds/many.zip", 600); // about 5 MiB: 3 spans
        try (ArtifactReader zip = open("s3://artifacts/builds/many.zip")) {
            // in the central directory's order, which zip -r writes in the entries' order
            List<IndexEntry> files = Indexes.index(zip).stream().filter(e -> e.type() == EntryType.FILE).toList();
            long before = zip.counters().requests();
            zip.expect(files.stream().map(IndexEntry::locator).toList());
            for (IndexEntry entry : files) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                zip.extract(entry.locator(), entry.size(), bytes);
                assertArrayEquals(contents.get(entry.path()), bytes.toByteArray(), entry.path());
            }
            long requests = zip.counters().requests() - before;
            assertTrue(requests <= 6, "600 expected neighbours in 3 spans took " + requests + " requests");
        }
    }

    @Test
    void anExpectedSpanOfAReplacedObjectIsAnErrorForEveryEntryInIt() throws Exception {
        smallFilesZip("builds/replaced.zip");
        try (ArtifactReader zip = open("s3://artifacts/builds/replaced.zip")) {
            List<IndexEntry> files = Indexes.index(zip).stream().filter(e -> e.type() == EntryType.FILE).toList();
            zip.expect(files.stream().map(IndexEntry::locator).toList());
            s3.put("artifacts", "builds/replaced.zip", Files.readAllBytes(work.resolve("app.zip")));
            for (IndexEntry entry : files.subList(0, 2)) {
                assertThrows(ObjectChangedException.class,
                        () -> zip.extract(entry.locator(), entry.size(), OutputStream.nullOutputStream()));
            }
        }
    }

    @Test
    void aPrefixIsATreeOfObjects() throws Exception {
        try (ArtifactReader repo = open("s3://artifacts/repo/")) {
            Map<String, Long> sizes = Indexes.index(repo).stream()
                    .collect(Collectors.toMap(IndexEntry::path, IndexEntry::size));
            assertEquals(Map.of("org/a/a-1.jar", 5L, "org/a/a-1.jar.sha1", 5L, "org/b/b-2.jar", 5L), sizes);
            IndexEntry b = Indexes.index(repo).stream().filter(e -> e.path().endsWith("b-2.jar")).findFirst().orElseThrow();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            repo.extract(b.locator(), b.size(), bytes);
            assertEquals("jar b", bytes.toString());
        }
    }

    @Test
    void anObjectReplacedAfterIndexingIsAnErrorNotAMixOfVersions() throws Exception {
        bigTar();
        s3.put("artifacts", "builds/changing.tar", Files.readAllBytes(work.resolve("big.tar")));
        try (ArtifactReader tar = open("s3://artifacts/builds/changing.tar")) {
            // an entry the header scan passed over, so its bytes come from the object, not from what the scan kept
            IndexEntry entry = Indexes.index(tar).stream().filter(e -> e.path().equals("data/part1.bin")).findFirst()
                    .orElseThrow();
            s3.put("artifacts", "builds/changing.tar", Files.readAllBytes(work.resolve("app.zip")));
            ObjectChangedException e = assertThrows(ObjectChangedException.class,
                    () -> tar.extract(entry.locator(), entry.size(), OutputStream.nullOutputStream()));
            assertTrue(e.getMessage().contains("s3://artifacts/builds/changing.tar"), e.getMessage());
        }
    }

    @Test
    void aMissingObjectIsSaidSo() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> open("s3://artifacts/builds/nope.zip"));
        assertTrue(e.getMessage().contains("s3://artifacts/builds/nope.zip"), e.getMessage());
    }
}
