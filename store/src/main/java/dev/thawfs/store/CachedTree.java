package dev.thawfs.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

/**
 * The artifacts' trees as the filesystem walks them: nodes, names and directory pages, read from
 * the index through bounded caches. Pages are weighed by their nodes, so a few huge listings
 * cannot hold more than the cache's share of memory.
 */
final class CachedTree {
    private record ChildKey(long parent, String name) {
    }

    private record Page(long parent, String after, int max) {
    }

    private final Index index;
    private final IdAllocator ids;
    private final ArtifactCatalog catalog;
    private final Cache<Long, Node> nodes;
    private final Cache<ChildKey, Long> childIds;
    private final Cache<Page, List<Node>> pages;

    CachedTree(Index index, IdAllocator ids, ArtifactCatalog catalog, int cacheEntries) {
        this.index = index;
        this.ids = ids;
        this.catalog = catalog;
        this.nodes = Caffeine.newBuilder().maximumSize(cacheEntries).build();
        this.childIds = Caffeine.newBuilder().maximumSize(cacheEntries).build();
        this.pages = Caffeine.newBuilder().maximumWeight(cacheEntries)
                .weigher((Page page, List<Node> listed) -> 1 + listed.size()).build();
    }

    Optional<Node> node(long id) {
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

    Optional<Node> child(long parent, String name) {
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

    List<Node> children(long parent, String afterName, int max) {
        return pages.get(new Page(parent, afterName, max), page -> readPage(parent, afterName, max));
    }

    private List<Node> readPage(long parent, String afterName, int max) {
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
    }

    /** Nodes held in cached directory pages now. */
    long cachedPageNodes() {
        pages.cleanUp();
        return pages.asMap().values().stream().mapToLong(List::size).sum();
    }

    String pathInArtifact(Node node) {
        StringBuilder path = new StringBuilder(node.name());
        for (Node at = node; at.parentId() != 0; ) {
            at = node(at.parentId()).orElseThrow();
            if (at.parentId() != 0) {
                path.insert(0, at.name() + "/");
            }
        }
        return path.toString();
    }

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
        Artifact artifact = catalog.artifact(parent.artifactId()).orElseThrow();
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

    /** See {@link Store#filesAfter}. */
    List<Node> filesAfter(Node file, long maxBytes, int maxFiles) {
        List<Node> files = new ArrayList<>();
        long bytes = 0;
        try (RocksIterator it = index.iterator(index.nodes)) {
            for (it.seek(RecordCodec.key(file.id() + 1)); it.isValid() && files.size() < maxFiles; it.next()) {
                Node node = Node.decode(RecordCodec.longAt(it.key(), 0), it.value());
                if (node.artifactId() != file.artifactId() || node.isFile() && (bytes += node.size()) > maxBytes) {
                    break;
                }
                if (node.isFile()) {
                    files.add(node);
                }
            }
        }
        return files;
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }
}
