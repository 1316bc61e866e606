package dev.thawfs.fs.thaw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.thawfs.store.Node;
import dev.thawfs.store.NodeType;
import org.junit.jupiter.api.Test;

/** How far each cold open in a directory reads ahead: by the files opened, not by the opens. */
class DirectoryReadAheadTest {
    private static final long ALL = 1 << 20;
    private final DirectoryReadAhead readAhead = new DirectoryReadAhead();

    private static Node file(long id, long parent, long size) {
        return new Node(id, 1, parent, "n" + id, NodeType.FILE, 0644, 1, size, 0, 0, id, "", new byte[0]);
    }

    @Test
    void theFirstFileReadsAheadItsSizeTheSecondAllLaterOnesNothing() {
        assertEquals(40, readAhead.largestNeighbour(file(11, 10, 40), ALL));
        assertEquals(ALL, readAhead.largestNeighbour(file(12, 10, 60), ALL));
        assertEquals(DirectoryReadAhead.NONE, readAhead.largestNeighbour(file(13, 10, 80), ALL));
        assertEquals(80, readAhead.largestNeighbour(file(21, 20, 80), ALL), "each directory on its own");
    }

    @Test
    void aFileOpenedAgainIsNoSecondFile() {
        Node checksum = file(11, 10, 65);
        assertEquals(65, readAhead.largestNeighbour(checksum, ALL));
        assertEquals(DirectoryReadAhead.NONE, readAhead.largestNeighbour(checksum, ALL), "an open restarted after EINTR");
        assertEquals(DirectoryReadAhead.NONE, readAhead.largestNeighbour(checksum, ALL));
        assertEquals(ALL, readAhead.largestNeighbour(file(12, 10, 100_000), ALL), "a second file");
        assertEquals(DirectoryReadAhead.NONE, readAhead.largestNeighbour(checksum, ALL));
    }
}
