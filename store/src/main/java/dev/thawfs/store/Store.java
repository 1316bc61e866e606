package dev.thawfs.store;

import com.github.benmanes.caffeine.cache.Cache;
import dev.thawfs.config.BadEntryPolicy;
import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The local store: every imported artifact's tree and the materialized content, indexed by
 * RocksDB. Opening is O(1) in the number of entries; lookups go through bounded caches; content
 * is fetched into one blob file per entry, which the filesystem hands to the kernel as the
 * passthrough backing file.
 */
public final class Store implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Store.class.getName());
    private static final Duration TOUCH_FLUSH_DELAY = Duration.ofSeconds(1);

    private record ChildKey(long parent, String name) {
    }

    private record Page(long parent, String after, int max) {
    }

    private final StoreLayout layout;
    private final Index index;
    private final StoreOptions options;
    private final IdAllocator ids;
    private final MaterializedCounts counts;
    private final Pins pins = new Pins();
    private final FilesystemSync filesystem;
    private final GroupCommitter committer;
    private final Materializer materializer;
    private final Evictor evictor;
    /** Evictions and the eviction order's batched updates, one at a time, off the request path. */
    private final ScheduledThreadPoolExecutor background;
    private final AtomicBoolean evictionQueued = new AtomicBoolean();
    private final AtomicBoolean touchFlushScheduled = new AtomicBoolean();
    private final Cache<Long, Node> nodes;
    private final Cache<ChildKey, Long> childIds;
    private final Cache<Page, List<Node>> pages;

    private Store(StoreLayout layout, Index index, StoreOptions options) {
        this.layout = layout;
        this.index = index;
        this.options = options;
        this.ids = new IdAllocator(index);
        this.counts = new MaterializedCounts(index);
        this.filesystem = new FilesystemSync(layout.root);
        this.committer = new GroupCommitter(index, counts, filesystem);
        this.evictor = new Evictor(index, layout, pins, counts, committer::nextLruSeq);
        this.background = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "thawfs-store-lru");
            thread.setDaemon(true);
            return thread;
        });
        background.setExecuteExistingDelayedTasksAfterShutdownPolicy(false); // close() flushes touches itself
        this.materializer = new Materializer(layout, committer, pins, options.concurrency(), this::evictInBackground);
        this.nodes = Caffeine.newBuilder().maximumSize(options.cacheEntries()).build();
        this.childIds = Caffeine.newBuilder().maximumSize(options.cacheEntries()).build();
        this.pages = Caffeine.newBuilder().maximumSize(Math.max(16, options.cacheEntries() / 64)).build();
    }

    /** Opens (creating if needed) the store in {@code directory}; one process at a time. */
    public static Store open(Path directory, StoreOptions options) {
        StoreLayout layout = StoreLayout.open(directory);
        Index index = null;
        try {
            NativeLibrary.load(layout.nativeLibraries, layout.tmp);
            index = Index.open(layout.index);
            return new Store(layout, index, options);
        } catch (RuntimeException e) {
            if (index != null) {
                index.close(); // else its lock keeps this process from opening the store again
            }
            layout.close();
            throw e;
        }
    }

    public Path directory() {
        return layout.root;
    }

    /** Scratch space on the store's disk, emptied whenever a store is opened. */
    public Path scratchDirectory() {
        return layout.tmp;
    }

    /** {@link #scratchDirectory} of the store in {@code directory}, known before it is open. */
    public static Path scratchDirectory(Path directory) {
        return StoreLayout.tmp(directory);
    }

    /**
     * Where the seek indexes of the store's tar.gz artifacts are kept, one file per archive,
     * known before the store is open (a mount looks there while the store opens).
     */
    public static Path seekIndexDirectory(Path directory) {
        return StoreLayout.seekIndexes(directory);
    }

    // ---- artifacts

    /**
     * Imports an artifact's index, unless this URI at this identity is already imported: then
     * this is a no-op that needs neither the entries nor the network. A hard link to nothing is
     * refused (an {@link java.io.UncheckedIOException} of a {@link dev.thawfs.fetcher.BadEntryException})
     * or left out, as {@code onBadEntry} says.
     */
    public Artifact importArtifact(String uri, String identity, Iterator<IndexEntry> entries,
            BadEntryPolicy onBadEntry) {
        Optional<Artifact> existing = artifact(uri, identity);
        if (existing.isPresent()) {
            return existing.get();
        }
        Artifact artifact = new Artifact(ids.next(), uri, identity, ids.next(), 0, 0, false);
        return new TreeImporter(index, ids, artifact, onBadEntry).run(entries);
    }

    /** {@link #importArtifact(String, String, Iterator, BadEntryPolicy)}, refusing an artifact with a bad entry. */
    public Artifact importArtifact(String uri, String identity, Iterator<IndexEntry> entries) {
        return importArtifact(uri, identity, entries, BadEntryPolicy.REFUSE);
    }

    /** The completely imported artifact for this URI and identity, if any. */
    public Optional<Artifact> artifact(String uri, String identity) {
        byte[] id = index.get(index.artifacts, ArtifactKeys.byIdentity(uri, identity));
        return id == null ? Optional.empty() : artifact(RecordCodec.longAt(id, 0)).filter(Artifact::complete);
    }

    /** The most recently imported complete version of {@code uri}: what a remount serves offline. */
    public Optional<Artifact> latestArtifact(String uri) {
        return artifacts().stream().filter(a -> a.uri().equals(uri)).max(java.util.Comparator.comparingLong(Artifact::id));
    }

    public Optional<Artifact> artifact(long id) {
        byte[] record = index.get(index.artifacts, ArtifactKeys.byId(id));
        return record == null ? Optional.empty() : Optional.of(Artifact.decode(id, record));
    }

    /** Every completely imported artifact. */
    public List<Artifact> artifacts() {
        List<Artifact> all = new ArrayList<>();
        try (RocksIterator it = index.iterator(index.artifacts)) {
            for (it.seek(new byte[] {'I'}); it.isValid() && ArtifactKeys.isRecord(it.key()); it.next()) {
                Artifact artifact = Artifact.decode(RecordCodec.longAt(it.key(), 1), it.value());
                if (artifact.complete()) {
                    all.add(artifact);
                }
            }
        }
        return all;
    }

    // ---- the tree

    public Optional<Node> node(long id) {
        Node cached = nodes.getIfPresent(id);
        if (cached != null) {
            return Optional.of(cached);
        }
        byte[] record = index.get(index.nodes, RecordCodec.key(id));
        if (record == null) {
            return Optional.empty();
        }
        Node node = Node.decode(id, record);
        nodes.put(id, node);
        return Optional.of(node);
    }

    /** The child called {@code name} of directory {@code parent} (a hard-linked node under that name). */
    public Optional<Node> child(long parent, String name) {
        Long id = childIds.get(new ChildKey(parent, name), key -> {
            byte[] value = index.get(index.children, Index.childKey(parent, name));
            return value == null ? 0L : RecordCodec.longAt(value, 0);
        });
        if (id == 0) {
            return Optional.empty();
        }
        Optional<Node> child = node(id);
        return child.isPresent() && child.get().nlink() > 1 ? Optional.of(child.get().named(parent, name)) : child;
    }

    /**
     * Up to {@code max} children of {@code parent} in name order, after {@code afterName} ("" for
     * the first); a hard-linked node under each of its names there.
     */
    public List<Node> children(long parent, String afterName, int max) {
        return pages.get(new Page(parent, afterName, max), page -> {
            List<Node> list = new ArrayList<>();
            byte[] prefix = RecordCodec.key(parent);
            try (RocksIterator it = index.iterator(index.children)) {
                it.seek(Index.childKey(parent, afterName));
                if (!afterName.isEmpty() && it.isValid() && Arrays.equals(it.key(), Index.childKey(parent, afterName))) {
                    it.next();
                }
                for (; it.isValid() && list.size() < max && startsWith(it.key(), prefix); it.next()) {
                    Optional<Node> child = node(RecordCodec.longAt(it.value(), 0));
                    if (child.isPresent() && child.get().nlink() > 1) {
                        byte[] key = it.key();
                        child = Optional.of(child.get().named(parent,
                                new String(key, 8, key.length - 8, StandardCharsets.UTF_8)));
                    }
                    child.ifPresent(list::add);
                }
            }
            return List.copyOf(list);
        });
    }

    /** The path of a node inside its artifact, '/'-separated ("" for its root). */
    public String pathInArtifact(Node node) {
        StringBuilder path = new StringBuilder(node.name());
        for (Node at = node; at.parentId() != 0; ) {
            at = node(at.parentId()).orElseThrow();
            if (at.parentId() != 0) {
                path.insert(0, at.name() + "/");
            }
        }
        return path.toString();
    }

    /**
     * Adds a FILE or DIRECTORY entry found after the import ({@link LookedUpNames}) to the
     * directory {@code parent}, durably; the node there already if the name came meanwhile.
     */
    synchronized Node addFound(Node parent, String name, IndexEntry entry) {
        Optional<Node> there = child(parent.id(), name);
        if (there.isPresent()) {
            return there.get();
        }
        boolean file = entry.type() == EntryType.FILE;
        long id = ids.next();
        Node node = new Node(id, parent.artifactId(), parent.id(), name, file ? NodeType.FILE : NodeType.DIRECTORY,
                entry.mode(), 1, file ? entry.size() : 0, entry.mtimeSec(), entry.mtimeNsec(), file ? id : 0, "",
                file ? entry.locator() : new byte[0]);
        Artifact artifact = artifact(parent.artifactId()).orElseThrow();
        Artifact counted = artifact.completed(artifact.entries() + 1, artifact.bytes() + node.size());
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(index.nodes, RecordCodec.key(id), node.encode());
            batch.put(index.children, Index.childKey(parent.id(), name), RecordCodec.key(id));
            batch.put(index.artifacts, ArtifactKeys.byId(counted.id()), counted.encode());
            index.write(batch, true);
        } catch (RocksDBException e) {
            throw new StoreException("cannot add " + name + " to the tree of " + artifact.uri() + ": " + e.getMessage(), e);
        }
        childIds.invalidate(new ChildKey(parent.id(), name));
        pages.asMap().keySet().removeIf(page -> page.parent() == parent.id());
        return node;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    // ---- content

    /** The blob file of a file node: the passthrough backing file once complete. */
    public Path blobPath(Node file) {
        return layout.blobPath(file.blobId());
    }

    /** Whether the node's content is committed and its file still has it (a lost file is fetched again). */
    public boolean isMaterialized(Node file) {
        byte[] record = index.get(index.blobs, RecordCodec.key(file.blobId()));
        if (record == null || !Blob.decode(file.blobId(), record).complete()) {
            return false;
        }
        try {
            return Files.size(layout.blobPath(file.blobId())) == file.size();
        } catch (IOException missing) {
            return false;
        }
    }

    /**
     * Makes a placeholder blob file exist for a file node, so its inode number is stable from the
     * first time the filesystem exposes the name (tier A needs nodeid == the backing file's inode).
     */
    public Path ensurePlaceholder(Node file) throws IOException {
        Path path = layout.blobPath(file.blobId());
        if (!Files.exists(path)) {
            Files.createDirectories(path.getParent());
            try {
                Files.createFile(path);
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another thread made it first: same file
            }
        }
        return path;
    }

    /**
     * Fetches a file node's content into its blob file unless it is there already; completes
     * with the node once the content is durable and marked complete. Concurrent calls for the
     * same content share one fetch. Fails with {@link MaterializeException}.
     */
    public CompletableFuture<Node> materialize(Node file, ContentSource source, Progress progress) {
        if (!file.isFile()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("node " + file.id() + " is not a regular file"));
        }
        if (isMaterialized(file)) {
            progress.fileDone(file);
            return CompletableFuture.completedFuture(file);
        }
        Optional<Artifact> artifact = artifact(file.artifactId());
        if (artifact.isEmpty()) {
            return CompletableFuture.failedFuture(new StoreException("node " + file.id() + " belongs to no artifact"));
        }
        try {
            CompletableFuture<Node> done = materializer.materialize(artifact.get(), file, source, progress, this::isMaterialized);
            done.thenRun(this::evictIfOverBudget);
            return done;
        } catch (RuntimeException e) { // the store is closing, or its index failed
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Completes once bytes [0, end) of the file's content are in its blob file: at once when it
     * is materialized, as they arrive while a materialization runs (so a reader of a large file
     * can be served what is local already), and for the whole file once it is verified, before
     * it is durable (a crash then only costs a refetch). Starts the materialization if none runs.
     */
    public CompletableFuture<Void> whenAvailable(Node file, long end, ContentSource source) {
        if (isMaterialized(file)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Node> materialization = materialize(file, source, Progress.NONE);
        CompletableFuture<Void> filled = materializer.whenFilled(file.blobId(), end);
        CompletableFuture<Void> settled = materialization.thenApply(done -> null);
        // a failed fill is reported once the fetch has ended, so it no longer counts as running
        return filled != null ? filled.exceptionallyCompose(error -> settled) : settled;
    }

    /** Whether a fetch of the node's content is running now. */
    public boolean isFetching(Node file) {
        return materializer.isFetching(file.blobId());
    }

    /** Fetches running now. */
    public int fetchesRunning() {
        return materializer.fetchesRunning();
    }

    /**
     * Moves a blob to the newest end of the eviction order (the filesystem opened it). The index
     * learns it in the background, at most once a second, in one batch: an open does not wait for
     * a write, and a job opening thousands of files costs a few index writes, not one each.
     */
    public void touch(Node file) {
        evictor.touch(file.blobId());
        if (touchFlushScheduled.compareAndSet(false, true)) {
            background.schedule(() -> {
                touchFlushScheduled.set(false);
                evictor.flushTouches();
            }, TOUCH_FLUSH_DELAY.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Keeps a node's content from eviction (open, attached as a backing file, ...) until unpinned. */
    public void pin(Node file) {
        pins.pin(file.blobId());
    }

    public void unpin(Node file) {
        pins.unpin(file.blobId());
    }

    /** Evicts unpinned content, least recently used first, down to {@code bytes}; returns bytes freed. */
    public long evictTo(long bytes) {
        return evictor.evictTo(bytes);
    }

    /**
     * The artifact's files whose content is committed in the store, and their bytes; a hard-linked
     * file counts once. From counts kept with the blob records: no walk, no index read.
     */
    public Materialized materialized(Artifact artifact) {
        return counts.of(artifact.id());
    }

    public long materializedBytes() {
        return counts.bytes();
    }

    public StoreOptions options() {
        return options;
    }

    private void evictIfOverBudget() {
        if (counts.bytes() > options.budgetBytes() || freePercent() < options.minFreePercent()) {
            evictInBackground();
        }
    }

    private void evictInBackground() {
        if (!evictionQueued.compareAndSet(false, true)) {
            return; // the queued pass evicts for this one too
        }
        background.execute(() -> {
            evictionQueued.set(false);
            long target = options.budgetBytes() * 9 / 10;
            if (freePercent() < options.minFreePercent()) {
                target = Math.min(target, counts.bytes() / 2);
            }
            long freed = evictor.evictTo(target);
            LOG.log(System.Logger.Level.DEBUG, "evicted " + freed + " bytes from " + layout.root);
        });
    }

    private int freePercent() {
        try {
            var fileStore = Files.getFileStore(layout.root);
            return (int) (100 * fileStore.getUsableSpace() / Math.max(1, fileStore.getTotalSpace()));
        } catch (IOException e) {
            return 100;
        }
    }

    @Override
    public void close() {
        materializer.close();
        committer.close();
        filesystem.close();
        evictor.stop();
        background.shutdown();
        try {
            // an eviction under way uses the index: it must end before the index closes
            if (!background.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.log(System.Logger.Level.WARNING, "the store's background work did not end in a minute;"
                        + " leaving its index open (the process is ending)");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        evictor.flushTouches();
        index.close();
        layout.close();
    }
}
