package dev.thawfs.fs.thaw;

import dev.thawfs.store.Node;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Says how much of its directory a cold open reads ahead: the first file opened cold there its
 * neighbours no larger than itself (a checksum read says nothing of the package beside it), the
 * second file all of them (a program that opens two files of a package usually opens the rest),
 * later files nothing.
 *
 * <p>Files count, not opens: a file opened again while it is still cold is no second file. The
 * kernel sends a second OPEN for one open(2) when a signal interrupts the first (answered EINTR,
 * the open is restarted), and programs open a file twice (stat then read, two threads).
 */
final class DirectoryReadAhead {
    /** No read-ahead for this open. */
    static final long NONE = -1;
    /** In place of the first file: the directory's second file has read ahead already. */
    private static final long DONE = -1;

    /** Per directory: the first file opened cold in it, or {@link #DONE}. */
    private final Map<Long, Long> firstFiles = new ConcurrentHashMap<>();

    /** For a cold open of {@code file}: the size of the largest neighbour to fetch ({@code all} for any), or {@link #NONE}. */
    long largestNeighbour(Node file, long all) {
        Long first = firstFiles.putIfAbsent(file.parentId(), file.id());
        if (first == null) {
            return file.size();
        }
        if (first != DONE && first != file.id() && firstFiles.replace(file.parentId(), first, DONE)) {
            return all;
        }
        return NONE;
    }
}
