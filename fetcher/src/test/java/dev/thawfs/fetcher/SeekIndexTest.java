package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.CapturedLog;
import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.Trees;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seek indexes of tar.gz archives made by tar and gzip: built in one pass (thawfs index's, or a
 * mount's index pass, then kept in the store), published beside the archive, then used to read
 * each file from the checkpoint before it; refused whole when built for another version of the
 * archive or damaged, the archive then streamed whole, an index built on the way.
 */
class SeekIndexTest {
    private static final long SPACING = 64 << 10;

    @TempDir
    Path work;
    private Path tree;
    private Path extracted;

    @BeforeEach
    void archive() throws Exception {
        tree = work.resolve("tree");
        Trees.create(tree);
        Random random = new Random(7);
        String[] words = {"alpha", "beta", "gamma", "delta", "jar", "class", "module", "native", "\n"};
        for (int i = 0; i < 60; i++) {
            try (OutputStream out = Files.newOutputStream(tree.resolve("pkg/lib/text-" + i + ".txt"))) {
                for (int w = 0; w < 20_000 + random.nextInt(20_000); w++) {
                    out.write((words[random.nextInt(words.length)] + random.nextInt(1000) + " ").getBytes());
                }
            }
        }
        Commands.check(tree, "tar", "-czf", "../app.tar.gz", "pkg");
        extracted = Files.createDirectory(work.resolve("extracted"));
        Commands.check(extracted, "tar", "-xzf", work.resolve("app.tar.gz").toString());
    }

    private ArtifactReader open(String name) throws IOException {
        return Artifacts.open(work.resolve(name).toString(), FetchOptions.defaults(null), work.resolve("scratch"));
    }

    /** Opened as a mount on a store whose seek indexes are in {@code kept} opens it. */
    private ArtifactReader openKeeping(Path kept) throws IOException {
        return Artifacts.open(work.resolve("app.tar.gz").toString(), FetchOptions.defaults(null)
                .withSeekIndexes(new SeekIndexOptions(SPACING, kept)), work.resolve("scratch"));
    }

    private static IndexEntry entry(List<IndexEntry> index, String path) {
        return index.stream().filter(e -> e.path().equals(path)).findFirst().orElseThrow();
    }

    private byte[] extract(ArtifactReader artifact, IndexEntry entry) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        artifact.extract(entry.locator(), entry.size(), bytes);
        return bytes.toByteArray();
    }

    private SeekIndexes.Built publish(String name) throws IOException {
        return Artifacts.buildSeekIndex(work.resolve(name).toString(), FetchOptions.defaults(null)
                .withSeekIndexes(new SeekIndexOptions(SPACING, null)), true);
    }

    /** Every file extracted through the artifact equals what tar extracted; the tree too. */
    private void assertSameAsTar(ArtifactReader artifact) throws IOException {
        List<IndexEntry> index = Indexes.index(artifact);
        assertEquals(Trees.describe(extracted), Indexes.describe(index));
        for (IndexEntry entry : index) {
            if (entry.type() == EntryType.FILE) {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                artifact.extract(entry.locator(), entry.size(), bytes);
                assertArrayEquals(Files.readAllBytes(extracted.resolve(entry.path())), bytes.toByteArray(), entry.path());
            }
        }
    }

    @Test
    void aPublishedIndexGivesTheTreeWithoutAPassAndEachFileFromItsCheckpoint() throws Exception {
        SeekIndexes.Built built = publish("app.tar.gz");
        long archiveSize = Files.size(work.resolve("app.tar.gz"));
        assertTrue(built.checkpoints() > 10, built.toString());
        assertTrue(Files.isRegularFile(work.resolve("app.tar.gz.thawfs-index")));
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("seek index") && log.lines().get(0).contains("used"), log.lines().toString());
            long indexBytes = artifact.counters().bytes();
            assertEquals(built.indexBytes(), indexBytes, "opening read the index, nothing of the archive");
            List<IndexEntry> index = Indexes.index(artifact);
            assertEquals(indexBytes, artifact.counters().bytes(), "the tree comes from the index");
            IndexEntry cold = index.stream().filter(e -> e.path().equals("pkg/lib/text-30.txt")).findFirst().orElseThrow();
            long requests = artifact.counters().requests();
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            artifact.extract(cold.locator(), cold.size(), bytes);
            assertArrayEquals(Files.readAllBytes(extracted.resolve(cold.path())), bytes.toByteArray());
            long fetched = artifact.counters().bytes() - indexBytes;
            assertTrue(artifact.counters().requests() - requests <= 2, "a ranged read per segment it lies in");
            assertTrue(fetched <= cold.size() + 3 * SPACING && fetched < archiveSize / 4,
                    fetched + " bytes fetched of " + archiveSize + " for a file of " + cold.size());
        }
        try (ArtifactReader artifact = open("app.tar.gz")) {
            assertSameAsTar(artifact);
        }
    }

    @Test
    void membersOfAMultiMemberGzipAreFollowedFromACheckpointIntoTheNext() throws Exception {
        Commands.check(tree, "tar", "-cf", "../app.tar", "pkg");
        byte[] tar = Files.readAllBytes(work.resolve("app.tar"));
        int half = tar.length / 2 + 12345;
        Files.write(work.resolve("first"), Arrays.copyOfRange(tar, 0, half));
        Files.write(work.resolve("second"), Arrays.copyOfRange(tar, half, tar.length));
        Commands.check(work, "sh", "-c", "gzip -c first > multi.tar.gz && gzip -c second >> multi.tar.gz");
        publish("multi.tar.gz");
        try (ArtifactReader artifact = open("multi.tar.gz")) {
            assertTrue(artifact.identity().endsWith(" seekable"), artifact.identity());
            assertSameAsTar(artifact);
        }
    }

    @Test
    void anIndexOfAnotherVersionOfTheArchiveIsNotUsed() throws Exception {
        publish("app.tar.gz");
        Files.writeString(tree.resolve("pkg/lib/new.txt"), "a new version");
        Commands.check(tree, "tar", "-czf", "../app.tar.gz", "pkg");
        Files.delete(tree.resolve("pkg/lib/new.txt"));
        Commands.check(extracted, "tar", "-xzf", work.resolve("app.tar.gz").toString());
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("not used, built for another version"), log.lines().toString());
            assertTrue(artifact instanceof IndexingTarArtifact, "streamed, building an index");
            assertSameAsTar(artifact);
        }
    }

    @Test
    void aTruncatedOrForeignIndexIsNotUsed() throws Exception {
        publish("app.tar.gz");
        Path published = work.resolve("app.tar.gz.thawfs-index");
        byte[] whole = Files.readAllBytes(published);
        Files.write(published, Arrays.copyOf(whole, whole.length - 100));
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("not used, damaged or truncated"), log.lines().toString());
            assertSameAsTar(artifact);
        }
        Files.copy(work.resolve("app.tar.gz"), published, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("not used, not a thawfs seek index"), log.lines().toString());
            assertTrue(artifact instanceof IndexingTarArtifact, "streamed, building an index");
        }
    }

    @Test
    void anIntactIndexWhoseEntriesAreWrongYieldsAnErrorNotWrongBytes() throws Exception {
        publish("app.tar.gz");
        Path published = work.resolve("app.tar.gz.thawfs-index");
        SeekIndex honest = SeekIndex.decode(Files.readAllBytes(published));
        SeekIndex.EntryWriter shifted = new SeekIndex.EntryWriter();
        honest.entries("test", ArchiveLimits.defaults()).forEachRemaining(entry -> {
            byte[] locator = entry.locator() == null ? null : entry.locator().clone();
            if (locator != null && locator[0] == Locators.SEEKABLE_TAR) {
                java.nio.ByteBuffer.wrap(locator).putLong(1, java.nio.ByteBuffer.wrap(locator).getLong(1) + 1);
            }
            try {
                shifted.add(new IndexEntry(entry.path(), entry.type(), entry.mode(), entry.size(), entry.mtimeSec(),
                        entry.mtimeNsec(), entry.linkTarget(), entry.hardLinkTarget(), locator));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        ObjectInfo archive = new LocalObjectStore(work).stat("app.tar.gz");
        Files.write(published, shifted.finish(archive, honest.spacing, honest.checkpoints).encode());
        try (ArtifactReader artifact = open("app.tar.gz")) {
            IndexEntry file = Indexes.index(artifact).stream().filter(e -> e.path().equals("pkg/lib/text-7.txt"))
                    .findFirst().orElseThrow();
            BadArtifactException refused = org.junit.jupiter.api.Assertions.assertThrows(BadArtifactException.class,
                    () -> artifact.extract(file.locator(), file.size(), OutputStream.nullOutputStream()));
            assertTrue(refused.getMessage().contains("CRC-32"), refused.getMessage());
        }
    }

    @Test
    void withoutAnIndexTheArchiveIsStreamedAndTheLogSaysSo() throws Exception {
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("no usable seek index"), log.lines().toString());
            assertTrue(artifact instanceof IndexingTarArtifact, "streamed, building an index");
        }
    }

    @Test
    void theIndexPassBuildsAnIndexKeptInTheStoreForFilesFetchedAgainAndForTheNextMount() throws Exception {
        Path kept = work.resolve("store/seek-indexes");
        long archiveSize = Files.size(work.resolve("app.tar.gz"));
        String identity;
        List<IndexEntry> streamedIndex;
        try (CapturedLog log = new CapturedLog(IndexingTarArtifact.class); ArtifactReader artifact = openKeeping(kept)) {
            identity = artifact.identity();
            streamedIndex = Indexes.index(artifact);
            assertEquals(archiveSize, artifact.counters().bytes(), "one pass over the archive");
            assertTrue(log.lines().get(0).contains("seek index built by the index pass")
                    && log.lines().get(0).contains("kept in the store"), log.lines().toString());
            IndexEntry cold = entry(streamedIndex, "pkg/lib/text-30.txt");
            byte[] expected = Files.readAllBytes(extracted.resolve(cold.path()));
            assertArrayEquals(expected, extract(artifact, cold));
            assertEquals(archiveSize, artifact.counters().bytes(), "handed over from the pass's scratch");
            assertArrayEquals(expected, extract(artifact, cold), "fetched again, as once evicted");
            long fetched = artifact.counters().bytes() - archiveSize;
            assertTrue(fetched > 0 && fetched <= cold.size() + 3 * SPACING && fetched < archiveSize / 4,
                    fetched + " bytes fetched of " + archiveSize + " for a file of " + cold.size());
        }
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = openKeeping(kept)) {
            assertTrue(log.lines().get(0).contains("seek index kept in the store") && log.lines().get(0).contains("used"),
                    log.lines().toString());
            assertEquals(0, artifact.counters().bytes(), "nothing fetched to open it");
            assertEquals(identity, artifact.identity(), "the same artifact to the store: its tree and content stay");
            assertEquals(Indexes.describe(streamedIndex), Indexes.describe(Indexes.index(artifact)));
            assertSameAsTar(artifact);
        }
    }

    @Test
    void aDamagedIndexInTheStoreIsNotUsedAndIsReplacedByTheNextPass() throws Exception {
        Path kept = work.resolve("store/seek-indexes");
        try (ArtifactReader artifact = openKeeping(kept)) {
            Indexes.index(artifact);
        }
        Path file;
        try (var files = Files.list(kept)) {
            file = files.findFirst().orElseThrow();
        }
        byte[] whole = Files.readAllBytes(file);
        whole[whole.length / 2] ^= 1;
        Files.write(file, whole);
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = openKeeping(kept)) {
            assertTrue(log.lines().get(0).contains("kept in the store (" + file + ") not used, damaged or truncated"),
                    log.lines().toString());
            assertTrue(log.lines().get(1).contains("no usable seek index"), log.lines().toString());
            assertTrue(artifact instanceof IndexingTarArtifact, "streamed, building an index");
            assertSameAsTar(artifact);
        }
        SeekIndex.decode(Files.readAllBytes(file)); // intact again
    }

    @Test
    void aFileFetchedWhenTheStoreHadTheTreeButLostItsIndexBuildsTheIndexOnce() throws Exception {
        Path kept = work.resolve("store/seek-indexes");
        List<IndexEntry> index;
        Path file;
        try (ArtifactReader artifact = openKeeping(kept)) {
            index = Indexes.index(artifact);
            file = SeekIndexes.localFile(kept, artifact.uri());
        }
        Files.delete(file);
        try (CapturedLog log = new CapturedLog(IndexingTarArtifact.class); ArtifactReader artifact = openKeeping(kept)) {
            IndexEntry first = entry(index, "pkg/lib/text-3.txt");
            assertArrayEquals(Files.readAllBytes(extracted.resolve(first.path())), extract(artifact, first));
            long afterPass = artifact.counters().bytes();
            IndexEntry second = entry(index, "pkg/lib/text-40.txt");
            assertArrayEquals(Files.readAllBytes(extracted.resolve(second.path())), extract(artifact, second));
            assertTrue(artifact.counters().bytes() - afterPass <= second.size() + 3 * SPACING, "through the index");
            assertEquals(1, log.lines().size(), log.lines().toString());
        }
        assertTrue(Files.isRegularFile(file), "kept again");
    }
}
