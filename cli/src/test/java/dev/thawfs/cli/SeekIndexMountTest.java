package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.testkit.Commands;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.Trees;
import dev.thawfs.fs.testing.FuseTestSupport;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tar.gz made by tar on a real S3 server (S3Proxy): thawfs index --publish puts its seek index
 * beside it, and a mount on an empty store then reads the tree from the index and a cold file
 * from the checkpoint before it; an index of another version of the archive, or a truncated
 * one, is not used and the archive is streamed whole. Without a published index, a mount's pass
 * builds one and keeps it in its store, where the next mount finds it for a cold file (a
 * multi-frame tar.zst's too: checkpoints at its frames); a damaged one kept there is not used.
 */
class SeekIndexMountTest {
    private static final long SPACING = 256 << 10;
    private static final String INDEX_KEY = "app.tar.gz.thawfs-index";

    @TempDir
    Path work;
    private S3ProxyServer s3;
    private Path tree;
    private Path mountpoint;
    private ThawfsProcesses processes;
    /** The archive mounted: app.tar.gz unless a test makes another. */
    private String archive = "app.tar.gz";

    @BeforeEach
    void archive() throws Exception {
        FuseTestSupport.assumeFuse();
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("builds");
        tree = work.resolve("tree");
        Trees.create(tree);
        Random random = new Random(11);
        String[] words = {"alpha", "beta", "gamma", "jar", "class", "module", "native", "\n"};
        Files.createDirectories(tree.resolve("pkg/solo"));
        for (int i = 0; i <= 40; i++) {
            Path file = i == 40 ? tree.resolve("pkg/solo/cold.txt") : tree.resolve("pkg/lib/text-" + i + ".txt");
            try (OutputStream out = Files.newOutputStream(file)) {
                for (int w = 0; w < 40_000; w++) {
                    out.write((words[random.nextInt(words.length)] + random.nextInt(100_000) + " ").getBytes());
                }
            }
        }
        putArchive();
        mountpoint = Files.createDirectory(work.resolve("mnt"));
        processes = new ThawfsProcesses(work);
    }

    private void putArchive() throws Exception {
        Commands.check(tree, "tar", "-czf", "../app.tar.gz", "pkg");
        s3.put("builds", "app.tar.gz", Files.readAllBytes(work.resolve("app.tar.gz")));
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (processes != null) {
            processes.close();
        }
        s3.close();
        FuseTestSupport.assertNoMountsLeft(work);
    }

    /** Publishes the index; returns its size. */
    private long publishIndex() throws Exception {
        Process index = processes.start("index", "--publish", "--checkpoint-spacing", Long.toString(SPACING),
                "--s3-endpoint", s3.endpoint.toString(), source());
        assertTrue(index.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, index.exitValue(), processes.stderr(index));
        Matcher report = Pattern.compile("index (\\d+) bytes .*, published as s3://builds/" + INDEX_KEY)
                .matcher(processes.stdout(index));
        assertTrue(report.find(), processes.stdout(index));
        return Long.parseLong(report.group(1));
    }

    private Process mount(String store) throws IOException {
        return processes.mount(mountpoint, List.of("--store", work.resolve(store).toString(), "--s3-endpoint",
                s3.endpoint.toString(), source()));
    }

    /** A mount whose index pass builds a seek index with checkpoints every {@link #SPACING}; it ends unmounted. */
    private Path mountBuildingAnIndex(String store) throws Exception {
        Path config = Files.writeString(work.resolve("spacing.toml"),
                "[index]\ncheckpoint-spacing = \"" + (SPACING >> 10) + "KiB\"\n");
        Process daemon = processes.mount(mountpoint, List.of("--config", config.toString(), "--store",
                work.resolve(store).toString(), "--s3-endpoint", s3.endpoint.toString(), source()));
        String log = processes.stderr(daemon);
        Matcher kept = Pattern.compile(Pattern.quote(source()) + ": seek index built by the index pass \\(\\d+ entries,"
                + " \\d+ checkpoints\\), kept in the store \\(([^)]+)\\)").matcher(log);
        assertTrue(kept.find(), log);
        assertTrue(log.contains(source() + ": no usable seek index"), log);
        assertSameAsTar("extracted-first");
        assertEquals(0, processes.stop(daemon));
        Path index = Path.of(kept.group(1));
        assertEquals(work.resolve(store + "/seek-indexes"), index.getParent());
        return index;
    }

    private void evictEverything(String store) throws Exception {
        Process gc = processes.start("gc", "--store", work.resolve(store).toString(), "--to", "0");
        assertTrue(gc.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, gc.exitValue(), processes.stderr(gc));
    }

    /** Bytes the daemon has fetched from the object store so far, as thawfs status reports them. */
    private long fetchedBytes() throws Exception {
        Process status = processes.start("status", "--json", mountpoint.toString());
        assertTrue(status.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, status.exitValue(), processes.stderr(status));
        Matcher bytes = Pattern.compile("\"object_store_bytes\":(\\d+)").matcher(processes.stdout(status));
        assertTrue(bytes.find(), processes.stdout(status));
        return Long.parseLong(bytes.group(1));
    }

    private String source() {
        return "s3://builds/" + archive;
    }

    private void assertSameAsTar(String name) throws Exception {
        TreeComparison.Extraction extracted = TreeComparison.extract(work.resolve(name), "tar", "-xf",
                work.resolve(archive).toString());
        TreeComparison.assertSameTree(extracted, mountpoint, name);
    }

    @Test
    void aPublishedIndexLetsAnEmptyStoreMountLazilyAndFetchAColdFileFromItsCheckpoint() throws Exception {
        long indexBytes = publishIndex();
        long archiveBytes = Files.size(work.resolve("app.tar.gz"));
        Process daemon = mount("second-store");
        assertTrue(processes.stderr(daemon).contains(source() + ": seek index s3://builds/" + INDEX_KEY + " used"),
                processes.stderr(daemon));
        long atMount = fetchedBytes();
        assertEquals(indexBytes, atMount, "the mount fetched the index, nothing of the archive");
        Path cold = mountpoint.resolve("pkg/solo/cold.txt");
        assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/solo/cold.txt")), Files.readAllBytes(cold));
        long forColdFile = fetchedBytes() - atMount;
        assertTrue(forColdFile <= Files.size(cold) + 3 * SPACING && forColdFile < archiveBytes / 4,
                forColdFile + " bytes fetched for a file of " + Files.size(cold) + " of an archive of " + archiveBytes);
        assertSameAsTar("extracted");
    }

    @Test
    void anIndexOfTheArchiveBeforeItWasReplacedIsNotUsed() throws Exception {
        publishIndex();
        Files.writeString(tree.resolve("pkg/solo/new.txt"), "the archive's next version");
        putArchive();
        Process daemon = mount("store");
        assertTrue(processes.stderr(daemon).contains("not used, built for another version of the archive"),
                processes.stderr(daemon));
        assertSameAsTar("extracted");
    }

    @Test
    void aTruncatedIndexIsNotUsed() throws Exception {
        publishIndex();
        byte[] index = Files.readAllBytes(work.resolve("s3/builds/" + INDEX_KEY));
        s3.put("builds", INDEX_KEY, Arrays.copyOf(index, index.length / 2));
        Process daemon = mount("store");
        assertTrue(processes.stderr(daemon).contains("not used, damaged or truncated"), processes.stderr(daemon));
        assertSameAsTar("extracted");
    }

    @Test
    void aMountWithoutAPublishedIndexBuildsOneInItsStoreThatTheNextMountUsesForAColdFile() throws Exception {
        assertAColdFileOfTheNextMountIsFetchedThrough(mountBuildingAnIndex("store"));
    }

    @Test
    void aMultiFrameTarZstGetsTheSameFromItsFrames() throws Exception {
        archive = "app.tar.zst";
        Commands.check(tree, "tar", "-cf", "../app.tar", "pkg");
        Commands.check(work, "sh", "-c", "split -b 256k app.tar piece- && for piece in piece-*; do zstd -q -c $piece; done"
                + " > app.tar.zst");
        s3.put("builds", archive, Files.readAllBytes(work.resolve(archive)));
        assertAColdFileOfTheNextMountIsFetchedThrough(mountBuildingAnIndex("store"));
    }

    /** With the store's content evicted, a remount uses the index kept there, a cold file costs about its segment. */
    private void assertAColdFileOfTheNextMountIsFetchedThrough(Path index) throws Exception {
        evictEverything("store");
        long archiveBytes = Files.size(work.resolve(archive));
        Process daemon = mount("store");
        assertTrue(processes.stderr(daemon).contains(source() + ": seek index kept in the store (" + index + ") used"),
                processes.stderr(daemon));
        assertFalse(Files.exists(work.resolve("s3/builds/" + archive + ".thawfs-index")), "nothing was published");
        long atMount = fetchedBytes();
        assertEquals(0, atMount, "the tree was in the store, the index too");
        Path cold = mountpoint.resolve("pkg/solo/cold.txt");
        assertArrayEquals(Files.readAllBytes(tree.resolve("pkg/solo/cold.txt")), Files.readAllBytes(cold));
        long forColdFile = fetchedBytes() - atMount;
        assertTrue(forColdFile > 0 && forColdFile <= Files.size(cold) + 3 * SPACING && forColdFile < archiveBytes / 4,
                forColdFile + " bytes fetched for a file of " + Files.size(cold) + " of an archive of " + archiveBytes);
        assertSameAsTar("extracted");
    }

    @Test
    void aDamagedIndexKeptInTheStoreIsNotUsed() throws Exception {
        Path index = mountBuildingAnIndex("store");
        byte[] damaged = Files.readAllBytes(index);
        damaged[damaged.length - 10] ^= 0x40;
        Files.write(index, damaged);
        evictEverything("store");
        Process daemon = mount("store");
        assertTrue(processes.stderr(daemon).contains(source() + ": seek index kept in the store (" + index
                + ") not used, damaged or truncated"), processes.stderr(daemon));
        assertSameAsTar("extracted");
    }

    @Test
    void thawfsIndexWithoutPublishKeepsTheIndexInTheStoreForItsMounts() throws Exception {
        Process index = processes.start("index", "--checkpoint-spacing", Long.toString(SPACING), "--store",
                work.resolve("store").toString(), "--s3-endpoint", s3.endpoint.toString(), source());
        assertTrue(index.waitFor(5, TimeUnit.MINUTES));
        assertEquals(0, index.exitValue(), processes.stderr(index));
        Matcher report = Pattern.compile("kept in the store as (\\S+); not published").matcher(processes.stdout(index));
        assertTrue(report.find(), processes.stdout(index));
        Path kept = Path.of(report.group(1));
        assertEquals(work.resolve("store/seek-indexes"), kept.getParent());
        assertFalse(Files.exists(work.resolve("s3/builds/" + INDEX_KEY)), "nothing was published");
        Process daemon = mount("store");
        assertTrue(processes.stderr(daemon).contains(source() + ": seek index kept in the store (" + kept + ") used"),
                processes.stderr(daemon));
        assertEquals(0, fetchedBytes(), "the tree came from the index kept in the store");
        assertSameAsTar("extracted");
    }
}
