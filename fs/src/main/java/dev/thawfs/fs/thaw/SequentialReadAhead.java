package dev.thawfs.fs.thaw;

import dev.thawfs.store.Node;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Notices opens that go through an artifact in its archive order, as the kernel's readahead
 * notices sequential reads of a file, and says which files to fetch ahead: a reader walking the
 * tree in archive order would otherwise wait once per directory.
 *
 * <p>Per artifact: the last file opened, and a window of files announced ahead. An open follows
 * the order when it is a file of the window, or the very next file of the artifact after the last
 * one (directories between them do not count, a skipped file does: a reader of every checksum of
 * a repository is not scanning it). After {@link #RUN} opens in a row that follow, once they have
 * gone on from one directory into the next (a program reading one directory is directory
 * read-ahead's, and a window would spill into the directories it never reads), a window of
 * {@link #FIRST_WINDOW} bytes is announced; the open of its first file announces the next,
 * twice as large, up to half of {@code maxAheadBytes}, so at most that many bytes are ahead of the
 * reader. An open that does not follow ends the pattern: the window starts small again.
 *
 * <p>{@link #opened} is cheap (it runs on the open path, and does nothing for an artifact with no
 * cold open); {@link #extend} lists the window's files and belongs off that path.
 */
final class SequentialReadAhead {
    /** The artifact's order, as {@link dev.thawfs.store.Store#filesAfter} gives it. */
    @FunctionalInterface
    interface ArchiveOrder {
        List<Node> filesAfter(Node file, long maxBytes, int maxFiles);
    }

    /** Files to announce: those after {@code after} within {@code bytes}, for a stream as it was. */
    record Window(Node after, long bytes, Object stream, long generation) {
    }

    /** Opens in a row in archive order before a window is announced. */
    static final int RUN = 3;
    static final long FIRST_WINDOW = 256 << 10;
    /** Files of one window at most, so a window of tiny files stays a bounded listing and fetch queue. */
    static final int MAX_FILES = 4096;
    /** Ids between two files that may be directories: beyond this, the next open is not looked up. */
    private static final long NEAR_IDS = 64;

    private static final class Stream {
        Node last;
        int run;
        /** Whether the run went on from one directory into another. */
        boolean crossed;
        /** The last file announced ahead, or null. */
        Node aheadLast;
        /** The first file of the last window: its open announces the next. */
        long trigger;
        long window;
        boolean extending;
        /** Counts pattern breaks: a window listed for an older pattern is not recorded. */
        long generation;
    }

    private final ArchiveOrder order;
    private final long maxWindow;
    private final Map<Long, Stream> streams = new ConcurrentHashMap<>();

    /** Reads ahead at most {@code maxAheadBytes} per artifact; 0 turns it off. */
    SequentialReadAhead(ArchiveOrder order, long maxAheadBytes) {
        this.order = order;
        this.maxWindow = maxAheadBytes / 2;
    }

    /**
     * Notes an open of {@code file} ({@code cold}: not local when opened; only a cold open starts
     * watching an artifact) and returns the window to announce now, or null.
     */
    Window opened(Node file, boolean cold) {
        if (maxWindow == 0 || !cold && streams.isEmpty()) { // a warm mount: no work, not even a boxed key
            return null;
        }
        Stream stream = streams.get(file.artifactId());
        if (stream == null) {
            if (!cold) {
                return null;
            }
            stream = streams.computeIfAbsent(file.artifactId(), id -> new Stream());
        }
        synchronized (stream) {
            if (stream.last != null && stream.last.id() == file.id()) {
                return null;
            }
            if (!follows(stream, file)) {
                if (!cold) {
                    streams.remove(file.artifactId(), stream); // a reader of local files: stop watching
                    return null;
                }
                stream.last = file;
                stream.run = 1;
                stream.crossed = false;
                stream.aheadLast = null;
                stream.trigger = 0;
                stream.window = 0;
                stream.extending = false;
                stream.generation++;
                return null;
            }
            stream.crossed |= stream.last.parentId() != file.parentId();
            stream.last = file;
            stream.run++;
            boolean insideWindow = stream.aheadLast != null && file.id() < stream.trigger;
            if (stream.run < RUN || !stream.crossed || stream.extending || insideWindow) {
                return null;
            }
            stream.window = Math.min(maxWindow, stream.window == 0 ? FIRST_WINDOW : stream.window * 2);
            stream.extending = true;
            Node after = stream.aheadLast != null && stream.aheadLast.id() > file.id() ? stream.aheadLast : file;
            return new Window(after, stream.window, stream, stream.generation);
        }
    }

    /** Whether {@code file} continues the stream's archive order: in the window, or the next file after the last. */
    private boolean follows(Stream stream, Node file) {
        if (stream.last == null || file.id() <= stream.last.id()) {
            return false;
        }
        if (stream.aheadLast != null && file.id() <= stream.aheadLast.id()) {
            return true;
        }
        if (file.id() - stream.last.id() > NEAR_IDS) {
            return false;
        }
        List<Node> next = order.filesAfter(stream.last, Long.MAX_VALUE, 1);
        return !next.isEmpty() && next.get(0).id() == file.id();
    }

    /** The files of {@code window}, in archive order, recorded as ahead of the reader (none for a pattern since broken). */
    List<Node> extend(Window window) {
        List<Node> files = order.filesAfter(window.after(), window.bytes(), MAX_FILES);
        Stream stream = (Stream) window.stream();
        synchronized (stream) {
            if (stream.generation != window.generation()) {
                return List.of();
            }
            stream.extending = false;
            if (!files.isEmpty()) {
                stream.aheadLast = files.get(files.size() - 1);
                stream.trigger = files.get(0).id();
            }
            return files;
        }
    }
}
