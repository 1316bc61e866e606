package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.CapturedLog;
import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seek indexes of tar.zst archives made by the zstd tools: of several frames (zstd outputs of a
 * tar's pieces concatenated, with a skippable frame between two; pzstd's), built by a mount's
 * pass and kept, or by thawfs index, each file then decoded from the frame it starts in; of one
 * frame, said so, and read from the archive's start.
 */
class ZstdSeekIndexTest {
    private static final long SPACING = 64 << 10;
    private static final int PIECE = 256 << 10;

    @TempDir
    Path work;
    private Path tree;
    private Path extracted;

    @BeforeEach
    void tree() throws Exception {
        tree = work.resolve("tree");
        Trees.create(tree);
        Random random = new Random(5);
        String[] words = {"alpha", "beta", "gamma", "delta", "jar", "class", "module", "native", "\n"};
        for (int i = 0; i < 40; i++) {
            try (OutputStream out = Files.newOutputStream(tree.resolve("pkg/lib/text-" + i + ".txt"))) {
                for (int w = 0; w < 20_000 + random.nextInt(20_000); w++) {
                    out.write((words[random.nextInt(words.length)] + random.nextInt(1000) + " ").getBytes());
                }
            }
        }
        Commands.check(tree, "tar", "-cf", "../app.tar", "pkg");
        extracted = Files.createDirectory(work.resolve("extracted"));
        Commands.check(extracted, "tar", "-xf", work.resolve("app.tar").toString());
    }

    /** The tar in pieces of {@link #PIECE}, each compressed by zstd, concatenated; a skippable frame after the first. */
    private Path concatenatedFrames() throws Exception {
        byte[] tar = Files.readAllBytes(work.resolve("app.tar"));
        Path archive = work.resolve("app.tar.zst");
        for (int at = 0, piece = 0; at < tar.length; at += PIECE, piece++) {
            Path part = work.resolve("part");
            Files.write(part, Arrays.copyOfRange(tar, at, Math.min(tar.length, at + PIECE)));
            Commands.check(work, "sh", "-c", "zstd -q -c part >> app.tar.zst");
            if (piece == 0) {
                byte[] skippable = ByteBuffer.allocate(8 + 5).order(ByteOrder.LITTLE_ENDIAN).putInt(0x184D2A5E)
                        .putInt(5).put("table".getBytes()).array();
                Files.write(archive, skippable, java.nio.file.StandardOpenOption.APPEND);
            }
        }
        return archive;
    }

    private ArtifactReader open(Path kept) throws IOException {
        return Artifacts.open(work.resolve("app.tar.zst").toString(), FetchOptions.defaults(null)
                .withSeekIndexes(new SeekIndexOptions(SPACING, kept)), work.resolve("scratch"));
    }

    private void assertSameAsTar(ArtifactReader artifact) throws IOException {
        List<IndexEntry> index = Indexes.index(artifact);
        assertEquals(Trees.describe(extracted), Indexes.describe(index));
        for (IndexEntry entry : index) {
            if (entry.type() == EntryType.FILE) {
                assertArrayEquals(Files.readAllBytes(extracted.resolve(entry.path())), extract(artifact, entry),
                        entry.path());
            }
        }
    }

    private static byte[] extract(ArtifactReader artifact, IndexEntry entry) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        artifact.extract(entry.locator(), entry.size(), bytes);
        return bytes.toByteArray();
    }

    @Test
    void theIndexPassOfAMultiFrameArchiveKeepsAnIndexOfItsFramesAndFilesAreDecodedFromTheirFrame() throws Exception {
        long archiveSize = Files.size(concatenatedFrames());
        Path kept = work.resolve("store/seek-indexes");
        try (CapturedLog log = new CapturedLog(IndexingTarArtifact.class); ArtifactReader artifact = open(kept)) {
            List<IndexEntry> index = Indexes.index(artifact);
            assertTrue(log.lines().get(0).contains("seek index built by the index pass")
                    && log.lines().get(0).contains("files are fetched one by one"), log.lines().toString());
            IndexEntry cold = index.stream().filter(e -> e.path().equals("pkg/lib/text-25.txt")).findFirst().orElseThrow();
            byte[] expected = Files.readAllBytes(extracted.resolve(cold.path()));
            assertArrayEquals(expected, extract(artifact, cold), "from the pass's scratch");
            long before = artifact.counters().bytes();
            assertArrayEquals(expected, extract(artifact, cold), "fetched again, as once evicted");
            long fetched = artifact.counters().bytes() - before;
            assertTrue(fetched > 0 && fetched <= cold.size() + 3 * PIECE && fetched < archiveSize / 4,
                    fetched + " bytes fetched of " + archiveSize + " for a file of " + cold.size());
        }
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open(kept)) {
            assertTrue(log.lines().get(0).contains("seek index kept in the store"), log.lines().toString());
            SeekIndex index = SeekIndex.decode(Files.readAllBytes(SeekIndexes.localFile(kept, artifact.uri())));
            assertTrue(index.checkpoints.size() > 10, index.checkpoints.size() + " checkpoints");
            assertTrue(index.checkpoints.stream().allMatch(ZstdFramesStream::isFrameStart));
            assertSameAsTar(artifact);
        }
    }

    @Test
    void aPublishedIndexOfPzstdOutputIsUsedFileByFile() throws Exception {
        Commands.check(work, "pzstd", "-q", "-p", "4", "-3", "app.tar", "-o", "app.tar.zst");
        SeekIndexes.Built built = Artifacts.buildSeekIndex(work.resolve("app.tar.zst").toString(),
                FetchOptions.defaults(null).withSeekIndexes(new SeekIndexOptions(SPACING, null)), true);
        assertTrue(built.checkpoints() > 1, built.toString());
        assertTrue(built.reading().contains("files are fetched one by one"), built.reading());
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open(null)) {
            assertTrue(log.lines().get(0).contains("app.tar.zst.thawfs-index used"), log.lines().toString());
            assertTrue(artifact instanceof SeekableTarArtifact);
            assertSameAsTar(artifact);
        }
    }

    @Test
    void aSingleFrameArchiveIsSaidToBeAndReadFromItsStart() throws Exception {
        Commands.check(work, "zstd", "-q", "app.tar", "-o", "app.tar.zst");
        SeekIndexes.Built built = Artifacts.buildSeekIndex(work.resolve("app.tar.zst").toString(),
                FetchOptions.defaults(null).withSeekIndexes(new SeekIndexOptions(SPACING, null)), false);
        assertEquals(1, built.checkpoints());
        assertTrue(built.reading().startsWith("one zstd frame"), built.reading());
        try (CapturedLog log = new CapturedLog(IndexingTarArtifact.class); ArtifactReader artifact = open(null)) {
            assertSameAsTar(artifact);
            assertTrue(log.lines().get(0).contains("one zstd frame"), log.lines().toString());
        }
    }

    @Test
    void aTruncatedMultiFrameArchiveIsAnErrorNotWrongBytes() throws Exception {
        byte[] whole = Files.readAllBytes(concatenatedFrames());
        Files.write(work.resolve("app.tar.zst"), Arrays.copyOf(whole, whole.length - 1000));
        try (ArtifactReader artifact = open(null)) {
            java.io.UncheckedIOException failed = org.junit.jupiter.api.Assertions.assertThrows(
                    java.io.UncheckedIOException.class, () -> Indexes.index(artifact));
            assertTrue(failed.getCause() instanceof BadArtifactException, failed.toString());
        }
    }
}
