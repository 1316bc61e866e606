package dev.thawfs.fs.thaw;

import dev.thawfs.fs.engine.DirectoryReply;
import dev.thawfs.fs.engine.FuseFilesystem;
import dev.thawfs.fs.engine.FuseRequest;
import dev.thawfs.fs.engine.HandleTable;
import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.OpenFlags;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.ContentSource;
import dev.thawfs.store.LookedUpNames;
import dev.thawfs.store.MaterializeException;
import dev.thawfs.store.Node;
import dev.thawfs.store.Progress;
import dev.thawfs.store.Store;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The thawfs filesystem: imported artifacts served read-only from the store, fetched on first
 * use, and handed to the kernel once local.
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
public final class ThawFilesystem implements FuseFilesystem {
    private static final System.Logger LOG = System.getLogger(ThawFilesystem.class.getName());
    /** Artifacts are immutable: names and attributes stay true for the mount's life. */
    static final long VALIDITY_NANOS = TimeUnit.HOURS.toNanos(1);
    static final String STATE_XATTR = "user.thawfs.state";
    static final String SOURCE_XATTR = "user.thawfs.source";
    /** On the mount's root: the daemon's status report, for {@code thawfs status MOUNTPOINT}. */
    public static final String STATUS_XATTR = "user.thawfs.status";
    /** Entries of a directory that read-ahead looks at, so a huge directory costs little. */
    private static final int READ_AHEAD_ENTRIES = 256;
    private static final byte[] XATTR_NAMES = (STATE_XATTR + "\0" + SOURCE_XATTR + "\0").getBytes(StandardCharsets.US_ASCII);

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
    private final LayerTree tree;
    private final ContentSource source;
    private final LookedUpNames lookedUp;
    private final long materializeOnOpenBytes;
    private final Duration fetchTimeout;
    private final long readAheadBytes;
    /** Directories whose first cold open has read ahead already. */
    private final Set<Long> readAheadDirectories = ConcurrentHashMap.newKeySet();
    private final long mountedAt = System.currentTimeMillis() / 1000;
    private final HandleTable<OpenFile> files = new HandleTable<>();
    private final OpenModes modes = new OpenModes();
    private final HandleTable<List<Map.Entry<String, LayerTree.Inode>>> directories = new HandleTable<>();
    private volatile Inodes inodes;
    private volatile KernelConnection kernel;
    private volatile Supplier<String> statusReport = () -> "";
    private volatile AccessRecorder accesses = AccessRecorder.NONE;
    private final AtomicInteger passthroughOpens = new AtomicInteger();

    public ThawFilesystem(Store store, List<Layer> layers, ContentSource source, ThawOptions options) {
        this.store = store;
        this.tree = new LayerTree(store, layers);
        this.source = source;
        this.lookedUp = new LookedUpNames(store, source);
        this.materializeOnOpenBytes = options.materializeOnOpenBytes();
        this.fetchTimeout = options.fetchTimeout();
        this.readAheadBytes = options.readAheadBytes();
    }

    @Override
    public void init(KernelConnection kernel) {
        this.kernel = kernel;
        this.inodes = kernel.tier() == PassthroughTier.A
                ? new PlaceholderInodes(tree, store, kernel) : new StoreInodes(tree, store, kernel);
    }

    /** What the mount's root answers for {@link #STATUS_XATTR}. */
    public void reportStatusWith(Supplier<String> report) {
        this.statusReport = report;
    }

    /** Reports each file's first access to {@code log} from now on. */
    public void recordAccessesTo(AccessLog log) {
        this.accesses = new AccessRecorder(tree, log);
    }

    /**
     * Fetches the files at {@code paths} (in the mount) in their order, {@code window} at a time,
     * sharing fetches with opens.
     */
    public CompletableFuture<TracePrefetch.Result> prefetch(List<String> paths, int window) {
        // A slot frees once the content is usable, not once it is durable: group commits batch that.
        return TracePrefetch.run(paths, tree, this::expectCold, node -> {
            fetch(node);
            return store.whenAvailable(node, node.size(), source).thenApply(available -> node);
        }, window);
    }

    /** The passthrough tier in force, once mounted. */
    public String tier() {
        return kernel == null ? "-" : kernel.tier().name();
    }

    /** Opens the kernel serves by passthrough now. */
    public int passthroughOpens() {
        return passthroughOpens.get();
    }

    /** Backing files the kernel holds or may be handed now. */
    public int backingIds() {
        return kernel == null ? 0 : kernel.backingIds();
    }

    /** Blob fetches under way now. */
    public int fetchesRunning() {
        return store.fetchesRunning();
    }

    @Override
    public boolean supportsReaddirplus() {
        return true;
    }

    // ---- names and attributes

    /**
     * A name a directory found by asking (an HTTP prefix listed name by name) does not have is
     * asked for at its origin, the request parked meanwhile; "no such name" then holds for as long
     * as the origin's answer does.
     */
    @Override
    public void lookup(FuseRequest request, long parent, String name) {
        LayerTree.Inode directory = inodes.resolve(parent).orElse(null);
        LayerTree.Inode inode = directory == null ? null : tree.lookup(directory.nodeid(), name).orElse(null);
        List<Long> storeDirectories = inode != null || directory == null ? List.of() : tree.storeDirectories(directory);
        Duration missingFor = lookedUp.missingFor(storeDirectories).orElse(null);
        if (missingFor == null) {
            answerLookup(request, parent, name, inode, VALIDITY_NANOS);
            return;
        }
        request.onInterrupt(() -> {
        }); // the caller gave up; what is found is kept for the next one
        lookedUp.find(storeDirectories, name).orTimeout(fetchTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((found, error) -> {
                    if (error != null) {
                        LOG.log(System.Logger.Level.WARNING, "looking " + name + " up failed: " + error);
                        request.replyError(Errno.EIO);
                        return;
                    }
                    answerLookup(request, parent, name, tree.lookup(directory.nodeid(), name).orElse(null),
                            missingFor.toNanos());
                });
    }

    private void answerLookup(FuseRequest request, long parent, String name, LayerTree.Inode inode, long missingNanos) {
        if (inode == null) {
            request.replyEntry(Entry.of(0, null, missingNanos, 0)); // cached "no such name"
            return;
        }
        long nodeid = inodes.expose(inode, parent, name);
        Node node = inode.node();
        int backingId = node != null && node.isFile() ? modes.attach(nodeid, () -> inodes.entryBackingId(nodeid, node)) : 0;
        long valid = inodes.entryValidNanos(node);
        request.replyEntry(new Entry(nodeid, 0, valid, valid, attributes(nodeid, inode), backingId));
    }

    @Override
    public void forget(long nodeid, long lookups) {
        inodes.forget(nodeid, lookups);
    }

    @Override
    public void getattr(FuseRequest request, long nodeid) {
        inodes.resolve(nodeid).ifPresentOrElse(
                inode -> request.replyAttributes(attributes(nodeid, inode), VALIDITY_NANOS),
                () -> request.replyError(Errno.ENOENT));
    }

    private FileAttributes attributes(long nodeid, LayerTree.Inode inode) {
        Node node = inode.node();
        if (node == null) { // a directory implied by a layer's path
            return new FileAttributes(nodeid, FileAttributes.S_IFDIR | 0755, 1, 0, 0, 0, 0, 4096, 0,
                    mountedAt, 0, mountedAt, 0, mountedAt, 0);
        }
        long size = node.isDirectory() ? 0 : node.isFile() ? node.size() : node.linkTarget().length();
        return new FileAttributes(nodeid, node.statMode(), node.nlink(), 0, 0, size, (size + 511) / 512,
                4096, 0, node.mtimeSec(), node.mtimeNsec(), node.mtimeSec(), node.mtimeNsec(), node.mtimeSec(),
                node.mtimeNsec());
    }

    @Override
    public void readlink(FuseRequest request, long nodeid) {
        Node node = inodes.resolve(nodeid).map(LayerTree.Inode::node).orElse(null);
        if (node == null || node.linkTarget().isEmpty()) {
            request.replyError(node == null ? Errno.ENOENT : Errno.EINVAL);
            return;
        }
        request.replyData(node.linkTarget().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void statfs(FuseRequest request, long nodeid) {
        try {
            request.replyStatfs(NativeFiles.statfs(store.directory()));
        } catch (ErrnoException e) {
            request.replyError(e.errno());
        }
    }

    // ---- content

    @Override
    public void open(FuseRequest request, long nodeid, int flags) {
        LayerTree.Inode inode = inodes.resolve(nodeid).orElse(null);
        if (inode == null || inode.isDirectory()) {
            request.replyError(inode == null ? Errno.ENOENT : Errno.EISDIR);
            return;
        }
        Node node = inode.node();
        store.pin(node); // before looking: content found local now stays local until the release
        boolean local = store.isMaterialized(node);
        boolean small = node.size() <= materializeOnOpenBytes;
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
                LOG.log(System.Logger.Level.WARNING, "cannot open the blob of " + describe(node) + ": " + e);
                request.replyError(Errno.EIO);
                return;
            }
        }
        int openFlags = kernel.tier().passesThrough() ? OpenFlags.DIRECT_IO : OpenFlags.KEEP_CACHE;
        request.replyOpen(files.add(new OpenFile(node, false, channel)), openFlags, 0);
    }

    /** Announces the files of {@code nodes} that are not local yet to the content source. */
    private void expectCold(List<Node> nodes) {
        source.expect(nodes.stream().filter(this::cold).toList());
    }

    /** Neither local nor being fetched. */
    private boolean cold(Node node) {
        return !store.isFetching(node) && !store.isMaterialized(node);
    }

    /** Starts fetching the cold small files beside {@code node} (the first time its directory is used). */
    private void readAheadAround(Node node) {
        if (readAheadBytes == 0 || !readAheadDirectories.add(node.parentId())) {
            return;
        }
        CompletableFuture.runAsync(() -> {
            long budget = readAheadBytes;
            List<Node> siblings = new ArrayList<>();
            for (Node sibling : store.children(node.parentId(), "", READ_AHEAD_ENTRIES)) {
                if (sibling.isFile() && sibling.id() != node.id()
                        && sibling.size() <= Math.min(budget, materializeOnOpenBytes) && cold(sibling)) {
                    budget -= sibling.size();
                    siblings.add(sibling);
                }
            }
            source.expect(siblings); // neighbours in an archive: fetched together
            siblings.forEach(this::fetch);
        });
    }

    /** Starts the node's fetch (or joins the running one); once it succeeds, the kernel may attach the file. */
    private void fetch(Node node) {
        store.materialize(node, source, Progress.NONE).whenComplete((done, error) -> {
            if (error == null) {
                inodes.attachable(node);
            }
        });
    }

    @Override
    public void read(FuseRequest request, long nodeid, long fh, long offset, int size) {
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
                        LOG.log(System.Logger.Level.WARNING, "reading " + describe(file.node)
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

    @Override
    public void release(long nodeid, long fh) {
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
        LOG.log(System.Logger.Level.WARNING, "fetching " + describe(node) + " failed: " + (cause instanceof TimeoutException
                ? "no content within " + fetchTimeout.toSeconds() + " s" : cause.getMessage()));
        return cause instanceof MaterializeException m && m.reason() == MaterializeException.Reason.NO_SPACE
                ? Errno.ENOSPC : Errno.EIO;
    }

    // ---- directories

    @Override
    public void opendir(FuseRequest request, long nodeid, int flags) {
        LayerTree.Inode inode = inodes.resolve(nodeid).orElse(null);
        if (inode == null || !inode.isDirectory()) {
            request.replyError(inode == null ? Errno.ENOENT : Errno.ENOTDIR);
            return;
        }
        // Artifacts do not change: the kernel may keep listings cached across opens, unless names are found by asking.
        boolean grows = lookedUp.missingFor(tree.storeDirectories(inode)).isPresent();
        request.replyOpen(directories.add(tree.list(inode)), grows ? 0 : OpenFlags.CACHE_DIR | OpenFlags.KEEP_CACHE, 0);
    }

    @Override
    public void readdir(FuseRequest request, long nodeid, long fh, long offset, int size) {
        list(request, nodeid, fh, offset, size, false);
    }

    @Override
    public void readdirplus(FuseRequest request, long nodeid, long fh, long offset, int size) {
        list(request, nodeid, fh, offset, size, true);
    }

    /**
     * READDIR entries carry store ids as d_ino; READDIRPLUS entries count as lookups, and in
     * tier A a file's entry expires at once, since only a LOOKUP can attach its backing file.
     */
    private void list(FuseRequest request, long directory, long fh, long offset, int size, boolean plus) {
        List<Map.Entry<String, LayerTree.Inode>> entries = directories.get(fh);
        if (entries == null) {
            request.replyError(Errno.EBADF);
            return;
        }
        DirectoryReply reply = request.replyDirectory(size);
        for (int i = (int) Math.max(0, offset); i < entries.size(); i++) {
            String name = entries.get(i).getKey();
            LayerTree.Inode inode = entries.get(i).getValue();
            if (!plus) {
                if (!reply.add(name, inode.nodeid(), attributes(inode.nodeid(), inode).mode(), i + 1)) {
                    break;
                }
                continue;
            }
            long nodeid = inodes.expose(inode, directory, name);
            long valid = inodes.direntValidNanos(inode.node());
            if (!reply.addPlus(name, Entry.of(nodeid, attributes(nodeid, inode), valid, valid), i + 1)) {
                inodes.forget(nodeid, 1); // not sent: the kernel holds no reference for it
                break;
            }
        }
        reply.send();
    }

    @Override
    public void releasedir(long nodeid, long fh) {
        directories.remove(fh);
    }

    // ---- per-file state

    /**
     * {@code user.thawfs.state}: cold, fetching, materialized or passthrough (the kernel holds the
     * file's backing now); {@code user.thawfs.source}: the artifact and the entry in it.
     */
    @Override
    public void getxattr(FuseRequest request, long nodeid, String name, int size) {
        if (nodeid == LayerTree.ROOT && name.equals(STATUS_XATTR)) {
            request.replyXattr(statusReport.get().getBytes(StandardCharsets.UTF_8), size);
            return;
        }
        Node node = inodes.resolve(nodeid).map(LayerTree.Inode::node).orElse(null);
        if (node == null || !node.isFile() || !(name.equals(STATE_XATTR) || name.equals(SOURCE_XATTR))) {
            request.replyError(Errno.ENODATA);
            return;
        }
        String value = name.equals(STATE_XATTR) ? state(nodeid, node) : source(node);
        request.replyXattr(value.getBytes(StandardCharsets.UTF_8), size);
    }

    private String state(long nodeid, Node node) {
        if (inodes.attached(nodeid)) {
            return "passthrough";
        }
        if (store.isMaterialized(node)) {
            return "materialized";
        }
        return store.isFetching(node) ? "fetching" : "cold";
    }

    private String source(Node node) {
        return store.artifact(node.artifactId()).map(Artifact::uri).orElse("?") + "!" + tree.pathInArtifact(node);
    }

    private String describe(Node node) {
        return source(node);
    }

    @Override
    public void listxattr(FuseRequest request, long nodeid, int size) {
        boolean file = inodes.resolve(nodeid).map(inode -> inode.node() != null && inode.node().isFile()).orElse(false);
        request.replyXattr(file ? XATTR_NAMES : new byte[0], size);
    }
}
