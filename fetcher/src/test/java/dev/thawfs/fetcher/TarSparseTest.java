package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Sparse files archived by GNU tar with --sparse, in each of its sparse formats (old GNU, with
 * extended sparse headers for many holes; PAX 0.0, 0.1 and 1.0, the last with the map in the data
 * block), plain and compressed: each indexes with its real size and extracts to what tar extracts,
 * holes as zeros, and the entries after it are still found.
 */
class TarSparseTest {
    @TempDir
    Path work;
    private Path tree;

    @BeforeEach
    void tree() throws Exception {
        tree = Files.createDirectories(work.resolve("tree"));
        // names sort in this order: each sparse file follows and is followed by another entry
        Files.writeString(tree.resolve("a-odd-size.txt"), "a size that leaves its record padded");
        Commands.check(tree, "truncate", "-s", "20M", "a-sparse.img");
        Commands.check(tree, "dd", "if=/bin/ls", "of=a-sparse.img", "bs=1M", "seek=8", "conv=notrunc", "status=none");
        Commands.check(tree, "truncate", "-s", "30M", "b-many-holes.img");
        for (int i = 1; i <= 10; i++) { // more holes than an old GNU header holds: extended sparse headers
            Commands.check(tree, "dd", "if=/bin/ls", "of=b-many-holes.img", "bs=64k", "seek=" + (i * 40), "count=1",
                    "conv=notrunc", "status=none");
        }
        Commands.check(tree, "truncate", "-s", "5M", "c-only-a-hole.img");
        Commands.check(tree, "truncate", "-s", "3M", "d-data-at-the-end.img");
        Commands.check(tree, "dd", "if=/bin/ls", "of=d-data-at-the-end.img", "bs=1M", "seek=3", "conv=notrunc",
                "status=none");
        Files.writeString(tree.resolve("e-after.txt"), "an entry after the sparse ones\n");
        // a name too long for a header: a long-name (GNU) or PAX header before the sparse one
        Path deep = Files.createDirectories(tree.resolve("e-" + "long-".repeat(25)));
        Commands.check(deep, "truncate", "-s", "2M", "sparse-" + "x".repeat(120) + ".img");
        Commands.check(deep, "dd", "if=/bin/ls", "of=sparse-" + "x".repeat(120) + ".img", "bs=64k", "seek=5", "count=1",
                "conv=notrunc", "status=none");
        Files.createDirectories(tree.resolve("f-dir"));
        Files.writeString(tree.resolve("f-dir/g-last.txt"), "the last entry\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu.tar", "posix.tar", "posix-0.0.tar", "posix-0.1.tar", "posix-1.0.tar", "gnu.tar.gz",
        "posix.tar.gz", "gnu.tar.zst", "posix.tar.zst"})
    void sparseFilesIndexWithTheirRealSizeAndExtractToWhatTarExtracts(String name) throws Exception {
        Path archive = work.resolve(name);
        List<String> tar = new ArrayList<>(List.of("tar", "--sort=name", "--sparse"));
        String format = name.replaceFirst("[-.].*", "");
        tar.add("--format=" + format);
        if (name.matches("posix-\\d\\.\\d\\.tar")) {
            tar.add("--sparse-version=" + name.substring("posix-".length(), "posix-".length() + 3));
        }
        if (name.endsWith(".gz")) {
            tar.add("-z");
        } else if (name.endsWith(".zst")) {
            tar.add("--zstd");
        }
        tar.addAll(List.of("-cf", archive.toString(), "-C", tree.toString(), "."));
        Commands.check(work, tar.toArray(String[]::new));
        Path extracted = Files.createDirectory(work.resolve("x-" + name));
        Commands.check(extracted, "tar", "-xf", archive.toString());

        try (ArtifactReader artifact = Artifacts.open(archive.toString(), FetchOptions.defaults(null),
                work.resolve("scratch"))) {
            List<IndexEntry> index = Indexes.index(artifact);
            index.removeIf(entry -> entry.path().isEmpty()); // ./, the root, which the extraction has too
            if (!name.endsWith(".tar")) {
                long kept = diskUsage(work.resolve("scratch"));
                assertTrue(kept < (8 << 20), "the index pass kept " + kept + " bytes on disk for 60 MiB of mostly"
                        + " holes: a sparse entry is kept with its holes left holes");
            }
            Map<String, String> expected = Trees.describe(extracted);
            assertEquals(expected, Indexes.describe(index));
            List<IndexEntry> files = index.stream().filter(entry -> entry.type() == EntryType.FILE).toList();
            for (IndexEntry entry : files) {
                long before = artifact.counters().bytes();
                byte[] tool = Files.readAllBytes(extracted.resolve(entry.path()));
                assertArrayEquals(tool, extract(artifact, entry), entry.path());
                if (name.endsWith(".tar")) {
                    long fetched = artifact.counters().bytes() - before;
                    assertTrue(fetched <= nonZero(tool) + (64 << 10), entry.path() + ": fetched " + fetched
                            + " bytes for " + nonZero(tool) + " bytes of data: only the entry's own, not its holes");
                }
            }
            // again, expected together: a plain tar's entries come from spans, a compressed tar's (handed over
            // the first time) from another pass
            artifact.expect(files.stream().map(IndexEntry::locator).toList());
            for (IndexEntry entry : files) {
                assertArrayEquals(Files.readAllBytes(extracted.resolve(entry.path())), extract(artifact, entry),
                        entry.path() + ", again");
            }
        }
    }

    private static byte[] extract(ArtifactReader artifact, IndexEntry entry) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        artifact.extract(entry.locator(), entry.size(), bytes);
        return bytes.toByteArray();
    }

    /** Bytes the files below {@code directory} take on disk, as du counts them. */
    private static long diskUsage(Path directory) throws Exception {
        Process du = new ProcessBuilder("du", "-s", "--block-size=1", directory.toString()).redirectErrorStream(true)
                .start();
        String output = new String(du.getInputStream().readAllBytes());
        assertEquals(0, du.waitFor(), output);
        return Long.parseLong(output.split("\\s+")[0]);
    }

    /** Bytes from the first to the last non-zero byte of each 4 KiB block: the data a sparse archive holds, about. */
    private static long nonZero(byte[] content) {
        long data = 0;
        for (int block = 0; block < content.length; block += 4096) {
            for (int i = block; i < Math.min(content.length, block + 4096); i++) {
                if (content[i] != 0) {
                    data += Math.min(4096, content.length - block);
                    break;
                }
            }
        }
        return data;
    }
}
