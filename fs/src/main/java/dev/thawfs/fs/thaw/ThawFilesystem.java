package dev.thawfs.fs.thaw;

import dev.thawfs.fs.engine.DirectoryStream;
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
import dev.thawfs.store.Artifact;
import dev.thawfs.store.ContentSource;
import dev.thawfs.store.LookedUpNames;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The thawfs filesystem: imported artifacts served read-only from the store, fetched on first
 * use ({@link FileContents}), and handed to the kernel once local. This class answers names,
 * attributes, directories and the per-file state attributes; {@link Inodes} numbers the inodes
 * for the tier in force.
 */
public final class ThawFilesystem implements FuseFilesystem {
    private static final System.Logger LOG = System.getLogger(ThawFilesystem.class.getName());
    /** Artifacts are immutable: names and attributes stay true for the mount's life. */
    static final long VALIDITY_NANOS = TimeUnit.HOURS.toNanos(1);
    static final String STATE_XATTR = "user.thawfs.state";
    static final String SOURCE_XATTR = "user.thawfs.source";
    /** On the mount's root: the daemon's status report, for {@code thawfs status MOUNTPOINT}. */
    public static final String STATUS_XATTR = "user.thawfs.status";
    private static final byte[] XATTR_NAMES = (STATE_XATTR + "\0" + SOURCE_XATTR + "\0").getBytes(StandardCharsets.US_ASCII);

    private final Store store;
    private final LayerTree tree;
    private final FileContents contents;
    private final LookedUpNames lookedUp;
    private final Duration fetchTimeout;
    private final long mountedAt = System.currentTimeMillis() / 1000;
    private final HandleTable<DirectoryStream<Map.Entry<String, LayerTree.Inode>>> directories = new HandleTable<>();
    private volatile Inodes inodes;
    private volatile KernelConnection kernel;
    private volatile Supplier<String> statusReport = () -> "";

    public ThawFilesystem(Store store, List<Layer> layers, ContentSource source, ThawOptions options) {
        this.store = store;
        this.tree = new LayerTree(store, layers);
        this.contents = new FileContents(store, source, options, this::source);
        this.lookedUp = new LookedUpNames(store, source);
        this.fetchTimeout = options.fetchTimeout();
    }

    @Override
    public void init(KernelConnection kernel) {
        this.kernel = kernel;
        this.inodes = Inodes.forTier(kernel, tree, store);
        contents.init(kernel, inodes);
    }

    /** What the mount's root answers for {@link #STATUS_XATTR}. */
    public void reportStatusWith(Supplier<String> report) {
        this.statusReport = report;
    }

    /** Reports each file's first access to {@code log} from now on. */
    public void recordAccessesTo(AccessLog log) {
        contents.recordAccesses(new AccessRecorder(tree, log));
    }

    /**
     * Fetches the files at {@code paths} (in the mount) in their order, {@code window} at a time,
     * sharing fetches with opens.
     */
    public CompletableFuture<TracePrefetch.Result> prefetch(List<String> paths, int window) {
        // A slot frees once the content is usable, not once it is durable: group commits batch that.
        return TracePrefetch.run(paths, tree, contents::expectCold, contents::fetched, window);
    }

    /** The passthrough tier in force, once mounted. */
    public String tier() {
        return kernel == null ? "-" : kernel.tier().name();
    }

    /** Opens the kernel serves by passthrough now. */
    public int passthroughOpens() {
        return contents.passthroughOpens();
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
        int backingId = node != null && node.isFile() ? contents.entryBackingId(nodeid, node) : 0;
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
        } else {
            contents.open(request, nodeid, inode.node());
        }
    }

    @Override
    public void read(FuseRequest request, long nodeid, long fh, long offset, int size) {
        contents.read(request, fh, offset, size);
    }

    @Override
    public void release(long nodeid, long fh) {
        contents.release(nodeid, fh);
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
        request.replyOpen(directories.add(new DirectoryStream<>(new Listing(nodeid, inode))),
                grows ? 0 : OpenFlags.CACHE_DIR | OpenFlags.KEEP_CACHE, 0);
    }

    @Override
    public void readdir(FuseRequest request, long nodeid, long fh, long offset, int size) {
        list(request, fh, offset, size, false);
    }

    @Override
    public void readdirplus(FuseRequest request, long nodeid, long fh, long offset, int size) {
        list(request, fh, offset, size, true);
    }

    private void list(FuseRequest request, long fh, long offset, int size, boolean plus) {
        DirectoryStream<Map.Entry<String, LayerTree.Inode>> stream = directories.get(fh);
        if (stream == null) {
            request.replyError(Errno.EBADF);
        } else {
            stream.answer(request, offset, size, plus);
        }
    }

    /**
     * A directory of the mount, listed by name. READDIR entries carry store ids as d_ino;
     * READDIRPLUS entries count as lookups, and in tier A a file's entry expires at once, since
     * only a LOOKUP can attach its backing file.
     */
    private final class Listing implements DirectoryStream.Entries<Map.Entry<String, LayerTree.Inode>> {
        private final long nodeid;
        private final LayerTree.Inode directory;

        Listing(long nodeid, LayerTree.Inode directory) {
            this.nodeid = nodeid;
            this.directory = directory;
        }

        @Override
        public List<Map.Entry<String, LayerTree.Inode>> after(String name, int max) {
            return tree.list(directory, name, max);
        }

        @Override
        public String name(Map.Entry<String, LayerTree.Inode> entry) {
            return entry.getKey();
        }

        @Override
        public FileAttributes attributes(Map.Entry<String, LayerTree.Inode> entry) {
            return ThawFilesystem.this.attributes(entry.getValue().nodeid(), entry.getValue());
        }

        @Override
        public Entry expose(Map.Entry<String, LayerTree.Inode> entry) {
            LayerTree.Inode inode = entry.getValue();
            long exposed = inodes.expose(inode, nodeid, entry.getKey());
            long valid = inodes.direntValidNanos(inode.node());
            return Entry.of(exposed, ThawFilesystem.this.attributes(exposed, inode), valid, valid);
        }

        @Override
        public void forget(long exposed) {
            inodes.forget(exposed, 1);
        }
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

    @Override
    public void listxattr(FuseRequest request, long nodeid, int size) {
        boolean file = inodes.resolve(nodeid).map(inode -> inode.node() != null && inode.node().isFile()).orElse(false);
        request.replyXattr(file ? XATTR_NAMES : new byte[0], size);
    }
}
