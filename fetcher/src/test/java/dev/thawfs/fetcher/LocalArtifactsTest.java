package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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

/** Archives made with zip, tar, gzip and zstd: each indexes and extracts to what the tools extract. */
class LocalArtifactsTest {
    @TempDir
    Path work;
    private Path tree;

    @BeforeEach
    void archives() throws Exception {
        tree = work.resolve("tree");
        Trees.create(tree);
        Trees.run(tree, "zip", "-qry", "../app.zip", "pkg");
        Trees.run(tree, "tar", "cf", "../app.tar", "pkg");
        Trees.run(tree, "tar", "czf", "../app.tar.gz", "pkg");
        Trees.run(tree, "tar", "--zstd", "-cf", "../app.tar.zst", "pkg");
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.zip", "app.tar", "app.tar.gz", "app.tar.zst"})
    void indexAndBytesEqualWhatTheToolsExtract(String name) throws Exception {
        Path extracted = Files.createDirectory(work.resolve("x-" + name));
        if (name.endsWith(".zip")) {
            Trees.run(extracted, "unzip", "-q", work.resolve(name).toString());
        } else {
            Trees.run(extracted, "tar", "xf", work.resolve(name).toString());
        }
        try (ArtifactReader artifact = Artifacts.open(work.resolve(name).toString(), FetchOptions.defaults(null),
                work.resolve("scratch"))) {
            List<IndexEntry> index = Trees.index(artifact);
            long indexRequests = artifact.counters().requests();
            Map<String, String> expected = Trees.describe(extracted);
            assertEquals(expected, Trees.describe(index));
            for (IndexEntry entry : index) {
                if (entry.type() == EntryType.FILE) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    artifact.extract(entry.locator(), entry.size(), bytes);
                    assertArrayEquals(Files.readAllBytes(extracted.resolve(entry.path())), bytes.toByteArray(), entry.path());
                }
            }
            if (name.contains(".tar.")) {
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
        Trees.run(big, "zip", "-q", "../big.zip", "model.bin"); // zip adds extra fields to the local header
        try (ArtifactReader artifact = Artifacts.open(work.resolve("big.zip").toString(), FetchOptions.defaults(null),
                work.resolve("scratch"))) {
            IndexEntry entry = Trees.index(artifact).get(0);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            artifact.extract(entry.locator(), entry.size(), bytes);
            assertArrayEquals(data, bytes.toByteArray());
        }
    }
}
