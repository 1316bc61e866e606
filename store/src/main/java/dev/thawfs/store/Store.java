package dev.thawfs.store;

import dev.thawfs.config.BadEntryPolicy;
import dev.thawfs.fetcher.IndexEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The local store: every imported artifact's tree and the materialized content, indexed by
 * RocksDB. Opening is O(1) in the number of entries; lookups go through bounded caches; content
 * is fetched into one blob file per entry, which the filesystem hands to the kernel as the
 * passthrough backing file. Safe for concurrent use.
 *
 * <p>This is the facade of four parts: the {@link ArtifactCatalog}, the {@link CachedTree}, the
 * {@link ContentStore} and the {@link EvictionScheduler}. Methods that read the index block on
 * it (a RocksDB read, from memory or disk) unless the answer is cached; every method that touches
 * the index throws {@link StoreException} when the index fails.
 */
public final class Store implements AutoCloseable {
    private final StoreLayout layout;
    private final Index index;
    private final StoreOptions options;
    private final MaterializedCounts counts;
    private final FilesystemSync filesystem;
    private final GroupCommitter committer;
    private final ArtifactCatalog catalog;
    private final CachedTree tree;
    private final EvictionScheduler eviction;
    private final ContentStore content;

    private Store(StoreLayout layout, Index index, StoreOptions options) {
        this.layout = layout;
        this.index = index;
        this.options = options;
        IdAllocator ids = new IdAllocator(index);
        Pins pins = new Pins();
        this.counts = new MaterializedCounts(index);
        this.filesystem = new FilesystemSync(layout.root);
        this.committer = new GroupCommitter(index, counts, filesystem);
        this.catalog = new ArtifactCatalog(index, ids);
        this.tree = new CachedTree(index, ids, catalog, options.cacheEntries());
        this.eviction = new EvictionScheduler(new Evictor(index, layout, pins, counts, committer::nextLruSeq), counts,
                options, layout.root);
        Materializer materializer = new Materializer(layout, committer, pins, options.concurrency(),
                eviction::evictInBackground);
        this.content = new ContentStore(layout, index, pins, catalog, materializer, eviction::evictIfOverBudget);
    }

    /**
     * Opens (creating if needed) the store in {@code directory}; one process at a time. Blocks
     * while RocksDB opens (replaying its log), and once per store written by a thawfs before the
     * per-artifact counts, while those are counted from the blob records.
     *
     * @throws StoreException if the directory cannot be used, another process has the store open,
     *     or its index is corrupt, malformed or from a newer thawfs
     */
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

    public StoreOptions options() {
        return options;
    }

    // ---- artifacts

    /**
     * Imports an artifact's index, unless this URI at this identity is already imported: then
     * this is a no-op that needs neither the entries nor the network. Blocks while it reads
     * {@code entries} (which may fetch) and writes the tree.
     *
     * @throws java.io.UncheckedIOException of a {@link dev.thawfs.fetcher.BadEntryException} for a
     *     hard link to nothing when {@code onBadEntry} refuses (else the entry is left out), or of
     *     the failure reading {@code entries}
     */
    public Artifact importArtifact(String uri, String identity, Iterator<IndexEntry> entries,
            BadEntryPolicy onBadEntry) {
        return catalog.importArtifact(uri, identity, entries, onBadEntry);
    }

    /** {@link #importArtifact(String, String, Iterator, BadEntryPolicy)}, refusing an artifact with a bad entry. */
    public Artifact importArtifact(String uri, String identity, Iterator<IndexEntry> entries) {
        return importArtifact(uri, identity, entries, BadEntryPolicy.REFUSE);
    }

    /** The completely imported artifact for this URI and identity, if any. */
    public Optional<Artifact> artifact(String uri, String identity) {
        return catalog.artifact(uri, identity);
    }

    /** The most recently imported complete version of {@code uri}: what a remount serves offline. */
    public Optional<Artifact> latestArtifact(String uri) {
        return catalog.latestArtifact(uri);
    }

    /** The artifact with this id, complete or not. */
    public Optional<Artifact> artifact(long id) {
        return catalog.artifact(id);
    }

    /** Every completely imported artifact; reads all artifact records. */
    public List<Artifact> artifacts() {
        return catalog.artifacts();
    }

    // ---- the tree

    public Optional<Node> node(long id) {
        return tree.node(id);
    }

    /** The child called {@code name} of directory {@code parent} (a hard-linked node under that name). */
    public Optional<Node> child(long parent, String name) {
        return tree.child(parent, name);
    }

    /**
     * Up to {@code max} children of {@code parent} in name order, after {@code afterName} ("" for
     * the first); a hard-linked node under each of its names there. Immutable.
     */
    public List<Node> children(long parent, String afterName, int max) {
        return tree.children(parent, afterName, max);
    }

    /** The path of a node inside its artifact, '/'-separated ("" for its root); reads each ancestor. */
    public String pathInArtifact(Node node) {
        return tree.pathInArtifact(node);
    }

    /**
     * Adds a FILE or DIRECTORY entry found after the import ({@link LookedUpNames}) to the
     * directory {@code parent}, durably (a synced write); the node there already if the name came
     * meanwhile.
     */
    Node addFound(Node parent, String name, IndexEntry entry) {
        return tree.addFound(parent, name, entry);
    }

    /**
     * The files after {@code file} in its artifact's own order (an archive's entry order, a
     * prefix's listing order: an import numbers nodes in that order), as many as fit in
     * {@code maxBytes} together, at most {@code maxFiles}. Stops at the first file that does not
     * fit, and at a node of another artifact (one imported at the same time). Reads the index.
     */
    public List<Node> filesAfter(Node file, long maxBytes, int maxFiles) {
        return tree.filesAfter(file, maxBytes, maxFiles);
    }

    // ---- content

    /** The blob file of a file node: the passthrough backing file once complete. */
    public Path blobPath(Node file) {
        return content.blobPath(file);
    }

    /**
     * Whether the node's content is committed and its file still has it (a lost file is fetched
     * again): an index read and a stat.
     */
    public boolean isMaterialized(Node file) {
        return content.isMaterialized(file);
    }

    /**
     * Makes a placeholder blob file exist for a file node, so its inode number is stable from the
     * first time the filesystem exposes the name (tier A needs nodeid == the backing file's inode).
     *
     * @throws IOException if the file or its directory cannot be created
     */
    public Path ensurePlaceholder(Node file) throws IOException {
        return content.ensurePlaceholder(file);
    }

    /**
     * Fetches a file node's content into its blob file unless it is there already; completes
     * with the node once the content is durable and marked complete. Concurrent calls for the
     * same content share one fetch. Does not wait for the fetch (only for the index read that
     * tells whether one is needed). The future fails with {@link MaterializeException} when the
     * fetch or the write fails, {@link StoreException} when the store closes or its index fails,
     * and {@link IllegalArgumentException} when the node is not a regular file.
     */
    public CompletableFuture<Node> materialize(Node file, ContentSource source, Progress progress) {
        return content.materialize(file, source, progress);
    }

    /**
     * Completes once bytes [0, end) of the file's content are in its blob file: at once when it
     * is materialized, as they arrive while a materialization runs (so a reader of a large file
     * can be served what is local already), and for the whole file once it is verified, before
     * it is durable (a crash then only costs a refetch). Starts the materialization if none runs;
     * fails as {@link #materialize} does.
     */
    public CompletableFuture<Void> whenAvailable(Node file, long end, ContentSource source) {
        return content.whenAvailable(file, end, source);
    }

    /** Whether a fetch of the node's content is running now. */
    public boolean isFetching(Node file) {
        return content.isFetching(file);
    }

    /** Fetches running now. */
    public int fetchesRunning() {
        return content.fetchesRunning();
    }

    /**
     * Keeps a node's content from eviction (open, attached as a backing file, ...) until unpinned.
     * Blocks only while an eviction drops this very blob.
     */
    public void pin(Node file) {
        content.pin(file);
    }

    public void unpin(Node file) {
        content.unpin(file);
    }

    /**
     * The artifact's files whose content is committed in the store, and their bytes; a hard-linked
     * file counts once. From counts kept with the blob records: no walk, no index read.
     */
    public Materialized materialized(Artifact artifact) {
        return counts.of(artifact.id());
    }

    /** Bytes of committed content in the store; in memory. */
    public long materializedBytes() {
        return counts.bytes();
    }

    // ---- eviction

    /**
     * Moves a blob to the newest end of the eviction order (the filesystem opened it). The index
     * learns it in the background, at most once a second, in one batch: an open does not wait for
     * a write, and a job opening thousands of files costs a few index writes, not one each.
     */
    public void touch(Node file) {
        eviction.touch(file.blobId());
    }

    /**
     * Evicts unpinned content, least recently used first, down to {@code bytes}; returns bytes
     * freed. Blocks for the whole pass, and first for a pass running in the background.
     */
    public long evictTo(long bytes) {
        return eviction.evictTo(bytes);
    }

    /**
     * Fails the fetches still running or queued, makes committed content durable, and closes the
     * index. Blocks for the commits under way, and up to a minute for a background eviction pass;
     * if that does not end, the index is left open (the process is ending).
     */
    @Override
    public void close() {
        content.close();
        committer.close();
        filesystem.close();
        if (!eviction.close()) {
            return;
        }
        index.close();
        layout.close();
    }
}
