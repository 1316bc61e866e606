package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Archives made with zip, tar, gzip, zstd and xz, under the names each format goes by or with the
 * format after the name: each indexes and extracts to what the tools extract.
 */
class LocalArtifactsTest {
    @TempDir
    Path work;
    private Path tree;

    @BeforeEach
    void archives() throws Exception {
        tree = work.resolve("tree");
        Trees.create(tree);
        Commands.check(tree, "zip", "-qry", "../app.zip", "pkg");
        Commands.check(tree, "tar", "cf", "../app.tar", "pkg");
        Commands.check(tree, "tar", "czf", "../app.tar.gz", "pkg");
        Commands.check(tree, "tar", "--zstd", "-cf", "../app.tar.zst", "pkg");
        Commands.check(tree, "tar", "-cJf", "../app.tar.xz", "pkg");
        Files.copy(work.resolve("app.tar.xz"), work.resolve("app.txz"));
        for (String zip : new String[] {"app.aar", "app.egg", "app.nupkg", "app.apk", "zip-named-otherwise.bin"}) {
            Files.copy(work.resolve("app.zip"), work.resolve(zip));
        }
        Files.copy(work.resolve("app.tar.gz"), work.resolve("tgz-named-otherwise.data"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.zip", "app.tar", "app.tar.gz", "app.tar.zst", "app.tar.xz", "app.txz", "app.aar",
        "app.egg", "app.nupkg", "app.apk", "zip-named-otherwise.bin#zip", "tgz-named-otherwise.data#tar.gz"})
    void indexAndBytesEqualWhatTheToolsExtract(String name) throws Exception {
        Path file = work.resolve(name.replaceFirst("#.*", ""));
        Path extracted = Files.createDirectory(work.resolve("x-" + name));
        boolean zip = name.matches(".*(\\.zip|\\.aar|\\.egg|\\.nupkg|\\.apk|#zip)");
        if (zip) {
            Commands.check(extracted, "unzip", "-q", file.toString());
        } else {
            Commands.check(extracted, "tar", "xf", file.toString());
        }
        try (ArtifactReader artifact = Artifacts.open(work.resolve(name).toString(), FetchOptions.defaults(null),
                work.resolve("scratch"))) {
            assertEquals("file:" + work.resolve(name), artifact.uri(), "a format after the name is part of the URI");
            List<IndexEntry> index = Indexes.index(artifact);
            long indexRequests = artifact.counters().requests();
            Map<String, String> expected = Trees.describe(extracted);
            assertEquals(expected, Indexes.describe(index));
            for (IndexEntry entry : index) {
                if (entry.type() == EntryType.FILE) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    artifact.extract(entry.locator(), entry.size(), bytes);
                    assertArrayEquals(Files.readAllBytes(extracted.resolve(entry.path())), bytes.toByteArray(), entry.path());
                }
            }
            if (!zip && !name.endsWith(".tar")) {
                assertEquals(indexRequests, artifact.counters().requests(),
                        "a compressed tar is read once: the index pass kept every entry");
            }
        }
    }

    @Test
    void aLargeZipEntryWithExtraFieldsStreamsAfterItsHeader() throws Exception {
        Path big = Files.createDirectories(work.resolve("big"));
        byte[] data = new byte[6 << 20];
        new java.util.Random(3).nextBytes(data);
        Files.write(big.resolve("model.bin"), data);
        Commands.check(big, "zip", "-q", "../big.zip", "model.bin"); // zip adds extra fields to the local header
        try (ArtifactReader artifact = Artifacts.open(work.resolve("big.zip").toString(), FetchOptions.defaults(null),
                work.resolve("scratch"))) {
            IndexEntry entry = Indexes.index(artifact).get(0);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            artifact.extract(entry.locator(), entry.size(), bytes);
            assertArrayEquals(data, bytes.toByteArray());
        }
    }
}
