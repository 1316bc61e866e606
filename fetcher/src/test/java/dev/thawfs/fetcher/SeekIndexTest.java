package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Seek indexes of tar.gz archives made by tar and gzip: built in one pass, published beside the
 * archive, then used to read each file from the checkpoint before it; refused whole when built
 * for another version of the archive or damaged, the archive then streamed as without one.
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
        Trees.run(tree, "tar", "-czf", "../app.tar.gz", "pkg");
        extracted = Files.createDirectory(work.resolve("extracted"));
        Trees.run(extracted, "tar", "-xzf", work.resolve("app.tar.gz").toString());
    }

    private ArtifactReader open(String name) throws IOException {
        return Artifacts.open(work.resolve(name).toString(), FetchOptions.defaults(null), work.resolve("scratch"));
    }

    private SeekIndexes.Built publish(String name) throws IOException {
        return Artifacts.buildSeekIndex(work.resolve(name).toString(), FetchOptions.defaults(null), SPACING, true);
    }

    /** Every file extracted through the artifact equals what tar extracted; the tree too. */
    private void assertSameAsTar(ArtifactReader artifact) throws IOException {
        List<IndexEntry> index = Trees.index(artifact);
        assertEquals(Trees.describe(extracted), Trees.describe(index));
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
            List<IndexEntry> index = Trees.index(artifact);
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
        Trees.run(tree, "tar", "-cf", "../app.tar", "pkg");
        byte[] tar = Files.readAllBytes(work.resolve("app.tar"));
        int half = tar.length / 2 + 12345;
        Files.write(work.resolve("first"), Arrays.copyOfRange(tar, 0, half));
        Files.write(work.resolve("second"), Arrays.copyOfRange(tar, half, tar.length));
        Trees.run(work, "sh", "-c", "gzip -c first > multi.tar.gz && gzip -c second >> multi.tar.gz");
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
        Trees.run(tree, "tar", "-czf", "../app.tar.gz", "pkg");
        Files.delete(tree.resolve("pkg/lib/new.txt"));
        Trees.run(extracted, "tar", "-xzf", work.resolve("app.tar.gz").toString());
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("not used, built for another version"), log.lines().toString());
            assertFalse(artifact.identity().endsWith(" seekable"));
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
            assertFalse(artifact.identity().endsWith(" seekable"));
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
            IndexEntry file = Trees.index(artifact).stream().filter(e -> e.path().equals("pkg/lib/text-7.txt"))
                    .findFirst().orElseThrow();
            BadArtifactException refused = org.junit.jupiter.api.Assertions.assertThrows(BadArtifactException.class,
                    () -> artifact.extract(file.locator(), file.size(), OutputStream.nullOutputStream()));
            assertTrue(refused.getMessage().contains("CRC-32"), refused.getMessage());
        }
    }

    @Test
    void withoutAnIndexTheArchiveIsStreamedAndTheLogSaysSo() throws Exception {
        try (CapturedLog log = new CapturedLog(SeekIndexes.class); ArtifactReader artifact = open("app.tar.gz")) {
            assertTrue(log.lines().get(0).contains("no seek index"), log.lines().toString());
            assertFalse(artifact.identity().endsWith(" seekable"));
        }
    }
}
