package dev.thawfs.store;

import dev.thawfs.config.BadEntryPolicy;
import dev.thawfs.fetcher.BadEntryException;
import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatchWithIndex;

/**
 * Persists an artifact's index as a tree, in batches, in bounded heap: directories are found
 * through the index itself (with a bounded cache of recent ones), never through a map of the
 * whole tree. Duplicate names: the last entry wins (a directory entry after an implicit or
 * earlier directory of the same name only updates its attributes). A hard link is one more name
 * of its target's node, wherever the target is in the archive. A name that is a directory in one
 * entry and not in another is logged: the later entry wins.
 */
final class TreeImporter {
    private static final System.Logger LOG = System.getLogger(TreeImporter.class.getName());
    private static final int BATCH_ENTRIES = 20_000;
    private static final int RECENT_DIRECTORIES = 16_384;
    private static final int IMPLICIT_DIRECTORY_MODE = 0755;
    private static final int NAME_BITS = 1 << 24;

    private final Index index;
    private final IdAllocator ids;
    private final Artifact artifact;
    private final BadEntryPolicy onBadEntry;
    private final Map<String, Long> recentDirectories = new LinkedHashMap<>(1024, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > RECENT_DIRECTORIES;
        }
    };
    /**
     * Names added by this import, as a Bloom filter: most entries are new, and this spares them
     * the index lookup for an earlier entry of the same name in bounded memory (2 MiB).
     */
    private final BitSet names = new BitSet(NAME_BITS);
    private final HardLinks links = new HardLinks();
    /** Hard links that came before their targets, resolved once every entry is in. */
    private final List<IndexEntry> linksAhead = new ArrayList<>();
    private WriteBatchWithIndex batch = new WriteBatchWithIndex(true);
    private int inBatch;
    private long entries;
    private long bytes;

    TreeImporter(Index index, IdAllocator ids, Artifact artifact, BadEntryPolicy onBadEntry) {
        this.index = index;
        this.ids = ids;
        this.artifact = artifact;
        this.onBadEntry = onBadEntry;
    }

    /** Imports every entry and returns the artifact, marked complete in a synced write. */
    Artifact run(Iterator<IndexEntry> source) {
        try {
            put(new Node(artifact.rootId(), artifact.id(), 0, "", NodeType.DIRECTORY, 0755, 1, 0, 0, 0, 0, "",
                    new byte[0]));
            while (source.hasNext()) {
                add(source.next());
                if (++inBatch == BATCH_ENTRIES) {
                    flush();
                }
            }
            resolveLinksAhead();
            finishLinks();
            Artifact complete = artifact.completed(entries, bytes);
            putArtifact(complete);
            index.write(batch, true);
            return complete;
        } finally {
            batch.close();
        }
    }

    private void add(IndexEntry entry) {
        String path = entry.path();
        if (path.isEmpty()) {
            root(entry);
            return;
        }
        if (entry.type() == EntryType.HARD_LINK) {
            if (!link(entry)) {
                linksAhead.add(entry);
            }
            return;
        }
        NodeType type = switch (entry.type()) {
            case DIRECTORY -> NodeType.DIRECTORY;
            case SYMLINK -> NodeType.SYMLINK;
            default -> NodeType.FILE;
        };
        long parent = parentOf(path, entry);
        String name = nameOf(path);
        Node existing = child(parent, name);
        entries++;
        if (type == NodeType.DIRECTORY && existing != null && existing.isDirectory()) {
            put(existing.withAttributes(entry.mode(), entry.mtimeSec(), entry.mtimeNsec()));
            return;
        }
        if (existing != null) {
            if (existing.isDirectory() != (type == NodeType.DIRECTORY)) {
                conflict(path, existing, "a " + type.name().toLowerCase(Locale.ROOT));
            }
            replaced(existing, parent, name);
        }
        long id = ids.next();
        if (type == NodeType.FILE) {
            bytes += entry.size();
        }
        put(new Node(id, artifact.id(), parent, name, type, entry.mode(), 1, type == NodeType.FILE ? entry.size() : 0,
                entry.mtimeSec(), entry.mtimeNsec(), type == NodeType.FILE ? id : 0,
                entry.linkTarget() == null ? "" : entry.linkTarget(),
                entry.locator() == null ? new byte[0] : entry.locator()));
    }

    /** Gives a hard link's name to its target's node; false while the target has not come. */
    private boolean link(IndexEntry entry) {
        Node target = find(entry.hardLinkTarget());
        if (target == null) {
            return false;
        }
        if (target.isDirectory()) {
            badEntry(entry, "a hard link to " + entry.hardLinkTarget() + ", a directory");
            return true;
        }
        String path = entry.path();
        long parent = parentOf(path, entry);
        String name = nameOf(path);
        Node existing = child(parent, name);
        if (existing != null && existing.id() == target.id()) {
            return true; // a name it has already
        }
        entries++;
        if (existing != null) {
            if (existing.isDirectory()) {
                conflict(path, existing, "a hard link to " + entry.hardLinkTarget());
            }
            replaced(existing, parent, name);
        }
        putChild(parent, name, target.id());
        links.add(target.id(), parent, name);
        return true;
    }

    /** Hard links to entries that came after them; chains of them resolve in as many rounds. */
    private void resolveLinksAhead() {
        while (linksAhead.removeIf(this::link)) {
            // each round resolves the links whose targets the round before gave names
        }
        for (IndexEntry entry : linksAhead) {
            badEntry(entry, "a hard link to " + entry.hardLinkTarget() + ", which the artifact does not have");
        }
    }

    private void badEntry(IndexEntry entry, String problem) {
        try {
            new BadEntryException(artifact.uri(), entry.path(), problem).skipOrRefuse(onBadEntry);
        } catch (BadEntryException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two entries claim one name, one as a directory and one not: the later wins, and the log says so. */
    private void conflict(String path, Node earlier, String later) {
        LOG.log(System.Logger.Level.WARNING, artifact.uri() + ": two entries claim " + path + ", first a "
                + earlier.type().name().toLowerCase(Locale.ROOT) + ", then " + later
                + "; the later one is mounted");
    }

    /** An entry for the root itself ("./" in a tar made with -C dir .) gives the root its attributes. */
    private void root(IndexEntry entry) {
        if (entry.type() != EntryType.DIRECTORY) {
            throw new StoreException("artifact " + artifact.uri() + ": an entry of type " + entry.type()
                    + " names the root");
        }
        put(node(artifact.rootId()).withAttributes(entry.mode(), entry.mtimeSec(), entry.mtimeNsec()));
    }

    /**
     * An entry of the same name came later and wins: the earlier one no longer counts, unless its
     * node keeps other names (hard links).
     */
    private void replaced(Node existing, long parent, String name) {
        entries--;
        if (links.remove(existing.id(), parent, name)) {
            return;
        }
        HardLinks.Name other = links.promote(existing.id());
        if (other != null) {
            put(existing.named(other.parent(), other.name()));
            return;
        }
        if (existing.isFile()) {
            bytes -= existing.size();
        }
        if (existing.isDirectory()) {
            recentDirectories.clear(); // cached paths below it are stale
        }
    }

    /** The id of the directory at {@code path}, created (mode 0755) where the index only implies it. */
    private long directory(String path, IndexEntry cause) {
        if (path.isEmpty()) {
            return artifact.rootId();
        }
        Long cached = recentDirectories.get(path);
        if (cached != null) {
            return cached;
        }
        long parent = parentOf(path, cause);
        String name = nameOf(path);
        Node existing = child(parent, name);
        long id;
        if (existing != null && existing.isDirectory()) {
            id = existing.id();
        } else {
            if (existing != null) {
                conflict(path, existing, "the directory of " + cause.path());
                replaced(existing, parent, name);
            }
            id = ids.next();
            put(new Node(id, artifact.id(), parent, name, NodeType.DIRECTORY, IMPLICIT_DIRECTORY_MODE, 1, 0,
                    cause.mtimeSec(), cause.mtimeNsec(), 0, "", new byte[0]));
        }
        recentDirectories.put(path, id);
        return id;
    }

    /** The directory that holds the last component of {@code path}, created where the index only implies it. */
    private long parentOf(String path, IndexEntry cause) {
        int slash = path.lastIndexOf('/');
        return directory(slash < 0 ? "" : path.substring(0, slash), cause);
    }

    private static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The node at {@code path}, if there is one, without creating directories on the way. */
    private Node find(String path) {
        Node at = node(artifact.rootId());
        for (String part : path.split("/")) {
            if (at == null || !at.isDirectory()) {
                return null;
            }
            at = child(at.id(), part);
        }
        return at;
    }

    private Node child(long parent, String name) {
        if (!mayHaveAdded(parent, name)) {
            return null;
        }
        byte[] id = index.get(batch, index.children, Index.childKey(parent, name));
        return id == null ? null : node(RecordCodec.longAt(id, 0));
    }

    private boolean mayHaveAdded(long parent, String name) {
        long hash = hash(parent, name);
        for (int i = 0; i < 3; i++) {
            if (!names.get((int) ((hash >>> (i * 21)) & (NAME_BITS - 1)))) {
                return false;
            }
        }
        return true;
    }

    private void added(long parent, String name) {
        long hash = hash(parent, name);
        for (int i = 0; i < 3; i++) {
            names.set((int) ((hash >>> (i * 21)) & (NAME_BITS - 1)));
        }
    }

    private static long hash(long parent, String name) {
        long h = parent * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL;
        return h ^ (h >>> 29);
    }

    private Node node(long id) {
        byte[] record = index.get(batch, index.nodes, RecordCodec.key(id));
        return record == null ? null : Node.decode(id, record);
    }

    private void put(Node node) {
        try {
            batch.put(index.nodes, RecordCodec.key(node.id()), node.encode());
        } catch (RocksDBException e) {
            throw new StoreException("import of " + artifact.uri() + " failed: " + e.getMessage(), e);
        }
        if (node.parentId() != 0) {
            putChild(node.parentId(), node.name(), node.id());
        }
    }

    private void putChild(long parent, String name, long id) {
        try {
            batch.put(index.children, Index.childKey(parent, name), RecordCodec.key(id));
        } catch (RocksDBException e) {
            throw new StoreException("import of " + artifact.uri() + " failed: " + e.getMessage(), e);
        }
        added(parent, name);
    }

    private void putArtifact(Artifact record) {
        try {
            batch.put(index.artifacts, ArtifactKeys.byId(record.id()), record.encode());
            batch.put(index.artifacts, ArtifactKeys.byIdentity(record.uri(), record.identity()),
                    RecordCodec.key(record.id()));
        } catch (RocksDBException e) {
            throw new StoreException("import of " + artifact.uri() + " failed: " + e.getMessage(), e);
        }
    }

    private void finishLinks() {
        links.forEachLinkCount((id, names) -> put(node(id).withNlink(names)));
    }

    private void flush() {
        index.write(batch, false);
        batch.close();
        batch = new WriteBatchWithIndex(true);
        inBatch = 0;
    }
}
