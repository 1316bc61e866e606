package dev.thawfs.fs.thaw;

import dev.thawfs.fs.engine.FuseRequest;
import dev.thawfs.fs.engine.HandleTable;
import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.proto.OpenFlags;
import dev.thawfs.store.ContentSource;
import dev.thawfs.store.MaterializeException;
import dev.thawfs.store.Node;
import dev.thawfs.store.Progress;
import dev.thawfs.store.Store;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The content side of a thawfs mount: opens, reads and releases of regular files, the fetches
 * they start (with read-ahead of a directory's files and of an artifact read in archive order),
 * how long they wait, and the errno a failed fetch becomes.
 *
 * <p>Opening a cold file up to {@code materializeOnOpenBytes} waits for one fetch (the request
 * is parked, no worker waits) and then answers with passthrough, so most files never cost a
 * userspace read. A larger cold file opens at once and its reads are served from what is already
 * local while the rest streams in; it can be mapped, shared or private, from its first open.
 * Such an open keeps the inode out of passthrough until it is released ({@link OpenModes}); the
 * next open after that passes through. Without passthrough (tier C) files are served from their
 * blob files with the page cache kept.
 *
 * <p>Every open pins its file's content before looking at it, so eviction never empties a file
 * that an open has found complete.
 */
final class FileContents {
    private static final System.Logger LOG = System.getLogger(FileContents.class.getName());
    /** Entries of a directory that read-ahead looks at, so a huge directory costs little. */
    private static final int READ_AHEAD_ENTRIES = 256;

    /**
     * An open regular file. {@code channel} serves daemon reads (tier C, or cold direct-io opens);
     * a cold open's reads wait for their range until {@code complete}.
     */
    private static final class OpenFile {
        final Node node;
        final boolean passthrough;
        volatile FileChannel channel;
        volatile boolean complete;

        OpenFile(Node node, boolean passthrough, FileChannel channel) {
            this.node = node;
            this.passthrough = passthrough;
            this.channel = channel;
            this.complete = channel != null;
        }
    }

    private final Store store;
    private final ContentSource source;
    private final long materializeOnOpenBytes;
    private final Duration fetchTimeout;
    private final long readAheadBytes;
    /** How a node is named in log lines: its artifact and its path there. */
    private final Function<Node, String> describe;
    private final DirectoryReadAhead directories = new DirectoryReadAhead();
    private final SequentialReadAhead sequential;
    private final HandleTable<OpenFile> files = new HandleTable<>();
    private final OpenModes modes = new OpenModes();
    private final AtomicInteger passthroughOpens = new AtomicInteger();
    private volatile AccessRecorder accesses = AccessRecorder.NONE;
    private volatile Inodes inodes;
    private volatile KernelConnection kernel;

    FileContents(Store store, ContentSource source, ThawOptions options, Function<Node, String> describe) {
        this.store = store;
        this.source = source;
        this.materializeOnOpenBytes = options.materializeOnOpenBytes();
        this.fetchTimeout = options.fetchTimeout();
        this.readAheadBytes = options.readAheadBytes();
        this.sequential = new SequentialReadAhead(store::filesAfter, options.sequentialReadAheadBytes());
        this.describe = describe;
    }

    /** Once mounted: the kernel and how it numbers inodes. */
    void init(KernelConnection kernel, Inodes inodes) {
        this.kernel = kernel;
        this.inodes = inodes;
    }

    void recordAccesses(AccessRecorder recorder) {
        this.accesses = recorder;
    }

    /** Opens the kernel serves by passthrough now. */
    int passthroughOpens() {
        return passthroughOpens.get();
    }

    /** The backing id a LOOKUP of {@code nodeid} may attach (tier A), unless a served open stands in the way. */
    int entryBackingId(long nodeid, Node node) {
        return modes.attach(nodeid, () -> inodes.entryBackingId(nodeid, node));
    }

    void open(FuseRequest request, long nodeid, Node node) {
        store.pin(node); // before looking: content found local now stays local until the release
        boolean local = store.isMaterialized(node);
        boolean small = node.size() <= materializeOnOpenBytes;
        readAheadInOrder(node, !local);
        if (local || small) {
            accesses.access(node, 0, node.size()); // a cold large file's first access is its first read
        }
        if (local) {
            answerOpen(request, nodeid, node, true);
        } else if (small) {
            request.onInterrupt(() -> {
            }); // the caller gave up; the fetch goes on for the next one
            fetch(node);
            readAheadAround(node);
            // The open needs the content written and verified, not yet durable.
            store.whenAvailable(node, node.size(), source).copy().orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((done, error) -> {
                        if (error != null) {
                            store.unpin(node);
                            request.replyError(errnoOf(error, node));
                        } else {
                            answerOpen(request, nodeid, node, true);
                        }
                    });
        } else {
            fetch(node);
            answerOpen(request, nodeid, node, false);
        }
    }

    /**
     * Answers the open of a pinned file: passthrough with the inode's one backing id when the
     * kernel allows it, else served by the daemon from the blob file, {@code complete} or filling.
     * Served opens are direct-io where the inode may pass through later (they never enter the
     * kernel's cached mode unless mapped shared, and {@link OpenModes} counts them anyway), and
     * keep the page cache without passthrough.
     */
    private void answerOpen(FuseRequest request, long nodeid, Node node, boolean complete) {
        if (complete) {
            store.touch(node);
        }
        int backingId = modes.open(nodeid, complete, () -> inodes.openPassthrough(nodeid, node));
        if (backingId > 0) {
            passthroughOpens.incrementAndGet();
            request.replyOpen(files.add(new OpenFile(node, true, null)), OpenFlags.PASSTHROUGH, backingId);
            return;
        }
        if (backingId < 0) {
            store.unpin(node);
            request.replyError(-backingId);
            return;
        }
        FileChannel channel = null;
        if (complete) {
            try {
                channel = FileChannel.open(store.blobPath(node), StandardOpenOption.READ);
            } catch (IOException e) {
                release(nodeid, new OpenFile(node, false, null));
                LOG.log(System.Logger.Level.WARNING, "cannot open the blob of " + describe.apply(node) + ": " + e);
                request.replyError(Errno.EIO);
                return;
            }
        }
        int openFlags = kernel.tier().passesThrough() ? OpenFlags.DIRECT_IO : OpenFlags.KEEP_CACHE;
        request.replyOpen(files.add(new OpenFile(node, false, channel)), openFlags, 0);
    }

    /** Announces the files of {@code nodes} that are not local yet to the content source. */
    void expectCold(List<Node> nodes) {
        source.expect(nodes.stream().filter(this::cold).toList());
    }

    /** Neither local nor being fetched. */
    private boolean cold(Node node) {
        return !store.isFetching(node) && !store.isMaterialized(node);
    }

    /**
     * Starts fetching the cold small files beside {@code node}: for the first file opened cold in
     * its directory those no larger than it, for the second all of them ({@link DirectoryReadAhead}).
     */
    private void readAheadAround(Node node) {
        if (readAheadBytes == 0) {
            return;
        }
        long neighbour = directories.largestNeighbour(node, readAheadBytes);
        if (neighbour == DirectoryReadAhead.NONE) {
            return;
        }
        long largest = Math.min(materializeOnOpenBytes, neighbour);
        CompletableFuture.runAsync(() -> {
            long budget = readAheadBytes;
            List<Node> siblings = new ArrayList<>();
            for (Node sibling : store.children(node.parentId(), "", READ_AHEAD_ENTRIES)) {
                if (sibling.isFile() && sibling.id() != node.id()
                        && sibling.size() <= Math.min(budget, largest) && cold(sibling)) {
                    budget -= sibling.size();
                    siblings.add(sibling);
                }
            }
            fetchAhead(siblings);
        });
    }

    /** Tells the sequential detector of the open; when it says so, fetches the next files in archive order. */
    private void readAheadInOrder(Node node, boolean cold) {
        SequentialReadAhead.Window window = sequential.opened(node, cold);
        if (window != null) {
            CompletableFuture.runAsync(() -> fetchAhead(sequential.extend(window).stream().filter(this::cold).toList()));
        }
    }

    /** Fetches {@code files}, announced first: neighbours in an archive are fetched together. */
    private void fetchAhead(List<Node> files) {
        if (files.isEmpty()) {
            return;
        }
        source.expect(files);
        files.forEach(this::fetch);
    }

    /** Starts the node's fetch (or joins the running one); once it succeeds, the kernel may attach the file. */
    void fetch(Node node) {
        store.materialize(node, source, Progress.NONE).whenComplete((done, error) -> {
            if (error == null) {
                inodes.attachable(node);
            }
        });
    }

    /** Completes once the whole of {@code node} is usable (written and verified, maybe not yet durable). */
    CompletableFuture<Node> fetched(Node node) {
        fetch(node);
        return store.whenAvailable(node, node.size(), source).thenApply(available -> node);
    }

    void read(FuseRequest request, long fh, long offset, int size) {
        OpenFile file = files.get(fh);
        if (file == null || file.passthrough) {
            request.replyError(Errno.EBADF);
            return;
        }
        if (file.complete) {
            request.replyRead(file.channel, offset, size, file.node.size());
            return;
        }
        accesses.access(file.node, offset, size);
        long end = Math.min(file.node.size(), offset + size);
        request.onInterrupt(() -> {
        });
        store.whenAvailable(file.node, end, source).copy().orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((ready, error) -> {
                    if (error != null) {
                        request.replyError(errnoOf(error, file.node));
                        return;
                    }
                    try {
                        FileChannel channel = channel(file);
                        if (end == file.node.size()) {
                            file.complete = true; // every later read of this open finds its range local
                        }
                        request.replyRead(channel, offset, size, file.node.size());
                    } catch (IOException e) {
                        LOG.log(System.Logger.Level.WARNING, "reading " + describe.apply(file.node)
                                + " from the store failed: " + e);
                        request.replyError(Errno.EIO);
                    }
                });
    }

    private FileChannel channel(OpenFile file) throws IOException {
        synchronized (file) {
            if (file.channel == null) {
                file.channel = FileChannel.open(store.blobPath(file.node), StandardOpenOption.READ);
            }
            return file.channel;
        }
    }

    void release(long nodeid, long fh) {
        OpenFile file = files.remove(fh);
        if (file != null) {
            release(nodeid, file);
        }
    }

    private void release(long nodeid, OpenFile file) {
        if (file.passthrough) {
            passthroughOpens.decrementAndGet();
            inodes.closePassthrough(nodeid);
        }
        boolean lastServed = modes.release(nodeid, file.passthrough);
        FileChannel channel = file.channel;
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // read-only: nothing to flush
            }
        }
        store.unpin(file.node);
        if (lastServed && store.isMaterialized(file.node)) {
            inodes.attachable(file.node);
        }
    }

    private int errnoOf(Throwable error, Node node) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        LOG.log(System.Logger.Level.WARNING, "fetching " + describe.apply(node) + " failed: "
                + (cause instanceof TimeoutException ? "no content within " + fetchTimeout.toSeconds() + " s"
                        : cause.getMessage()));
        return cause instanceof MaterializeException m && m.reason() == MaterializeException.Reason.NO_SPACE
                ? Errno.ENOSPC : Errno.EIO;
    }
}
