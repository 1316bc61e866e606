package dev.thawfs.fs.thaw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.store.Node;
import dev.thawfs.store.NodeType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The sequential detector against an artifact's order held in memory: what it announces, when, and how much. */
class SequentialReadAheadTest {
    private static final long ARTIFACT = 7;
    private static final int FILE_BYTES = 4 << 10;

    /** Nodes in id (archive) order: directories of 100 files of 4 KiB, a directory node before each. */
    private final List<Node> archive = new ArrayList<>();
    private final List<Node> files = new ArrayList<>();
    /** Files announced ahead so far (fetched, in a mount). */
    private final Set<Long> fetched = new HashSet<>();

    SequentialReadAheadTest() {
        long id = 100;
        for (int directory = 0; directory < 10; directory++) {
            long parent = id++;
            archive.add(node(parent, 1, NodeType.DIRECTORY, 0));
            for (int i = 0; i < 100; i++) {
                Node file = node(id++, parent, NodeType.FILE, FILE_BYTES);
                archive.add(file);
                files.add(file);
            }
        }
    }

    private static Node node(long id, long parent, NodeType type, long size) {
        return new Node(id, ARTIFACT, parent, "n" + id, type, 0644, 1, size, 0, 0, id, "", new byte[0]);
    }

    /** {@link dev.thawfs.store.Store#filesAfter} over {@link #archive}. */
    private List<Node> filesAfter(Node file, long maxBytes, int maxFiles) {
        List<Node> after = new ArrayList<>();
        long bytes = 0;
        for (Node node : archive) {
            if (node.id() <= file.id() || !node.isFile()) {
                continue;
            }
            if (after.size() == maxFiles || (bytes += node.size()) > maxBytes) {
                break;
            }
            after.add(node);
        }
        return after;
    }

    /** Opens {@code file} as a mount does: cold unless announced before; returns the bytes of the window announced. */
    private long open(SequentialReadAhead detector, Node file) {
        SequentialReadAhead.Window window = detector.opened(file, !fetched.contains(file.id()));
        if (window == null) {
            return 0;
        }
        List<Node> ahead = detector.extend(window);
        ahead.forEach(node -> fetched.add(node.id()));
        return window.bytes();
    }

    private long bytesAheadOf(Node file) {
        return files.stream().filter(f -> f.id() > file.id() && fetched.contains(f.id())).mapToLong(Node::size).sum();
    }

    @Test
    void aScanInArchiveOrderFetchesAheadInWindowsThatDoubleUpToTheCapAcrossDirectories() {
        long cap = 1 << 20;
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, cap);
        List<Long> windows = new ArrayList<>();
        int coldOpens = 0;
        for (Node file : files) {
            coldOpens += fetched.contains(file.id()) ? 0 : 1;
            long window = open(detector, file);
            if (window > 0) {
                windows.add(window);
            }
            assertTrue(bytesAheadOf(file) <= cap, "never more than the cap ahead of the reader, at " + file);
        }
        assertEquals(List.of(256L << 10, 512L << 10, 512L << 10), windows.subList(0, 3));
        assertEquals(101, coldOpens, "cold: the first directory (directory read-ahead's in a mount) and the first"
                + " file of the next, of " + files.size() + " files in "
                + archive.stream().filter(node -> !node.isFile()).count() + " directories");
    }

    @Test
    void aReaderOfEveryOtherFileIsNotScanning() {
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 1 << 20);
        for (int i = 0; i < files.size(); i += 2) {
            assertNull(detector.opened(files.get(i), true), "at " + files.get(i));
        }
    }

    @Test
    void aJumpEndsThePatternAndTheNextScanStartsWithTheFirstWindowAgain() {
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 1 << 20);
        for (int i = 0; i < 300; i++) {
            open(detector, files.get(i));
        }
        for (int i = 697; i < 700; i++) { // the last files of a directory
            assertEquals(0, open(detector, files.get(i)), "no window before the new pattern is seen");
        }
        assertEquals(SequentialReadAhead.FIRST_WINDOW, open(detector, files.get(700)), "on into the next directory");
    }

    @Test
    void aReaderOfOneDirectoryIsLeftToDirectoryReadAhead() {
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 1 << 20);
        for (Node file : files.subList(0, 100)) {
            assertNull(detector.opened(file, true), "at " + file);
        }
    }

    @Test
    void aWindowListedForAPatternSinceBrokenIsNotFetched() {
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 1 << 20);
        detector.opened(files.get(98), true);
        detector.opened(files.get(99), true);
        SequentialReadAhead.Window window = detector.opened(files.get(100), true);
        assertNotNull(window);
        detector.opened(files.get(500), true);
        assertEquals(List.of(), detector.extend(window));
    }

    @Test
    void localOpensStartNothingAndAReaderOfLocalFilesOutOfOrderStopsTheWatch() {
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 1 << 20);
        for (int i = 0; i < 10; i++) {
            assertNull(detector.opened(files.get(i), false));
        }
        detector.opened(files.get(95), true);
        detector.opened(files.get(60), false);
        detector.opened(files.get(98), false);
        detector.opened(files.get(99), false);
        assertNull(detector.opened(files.get(100), false), "the watch ended at the local open out of order");
    }

    @Test
    void aFileLargerThanTheWindowIsLeftToItsOwnOpen() {
        archive.add(node(5000, 1, NodeType.FILE, 100 << 20));
        Node big = archive.get(archive.size() - 1);
        files.add(big);
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 64 << 20);
        for (int i = files.size() - 4; i < files.size() - 1; i++) {
            open(detector, files.get(i));
        }
        assertTrue(!fetched.contains(big.id()), "not fetched ahead");
    }

    @Test
    void zeroTurnsItOff() {
        SequentialReadAhead detector = new SequentialReadAhead(this::filesAfter, 0);
        for (Node file : files.subList(0, 10)) {
            assertNull(detector.opened(file, true));
        }
    }
}
