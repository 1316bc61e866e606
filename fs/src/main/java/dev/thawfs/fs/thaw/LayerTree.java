package dev.thawfs.fs.thaw;

import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The mount's tree: the layers' trees overlaid at their paths. A name resolves in the highest
 * layer that has it; a regular file or symlink there hides lower layers, while directories of the
 * same name in several layers (or on a layer's path) merge. Inodes that come from one store node
 * are that node (its id is the nodeid); merged directories get ids of their own.
 *
 * <p>Public for the paths of a mount ({@link #file}, {@link #mountPath}), which {@code thawfs
 * prefetch} resolves the way a mount would without mounting.
 */
public final class LayerTree {
    /** Merged directories' nodeids have this bit; store node ids never do. */
    static final long MERGED = 1L << 62;
    static final long ROOT = 1;
    /** The store's order of names: their UTF-8 bytes, unsigned. */
    private static final Comparator<String> UTF8_ORDER = Comparator.comparing(
            name -> name.getBytes(StandardCharsets.UTF_8), Arrays::compareUnsigned);

    /** A directory made of several layers' directories, or implied by a layer's path. */
    static final class Merged {
        final long id;
        /** Store directories, lowest layer first. */
        final List<Long> storeDirectories;
        /** Directories on layer paths, below this one. */
        final Map<String, Merged> onPaths = new TreeMap<>();

        Merged(long id, List<Long> storeDirectories) {
            this.id = id;
            this.storeDirectories = storeDirectories;
        }
    }

    /** One inode of the mount: a store node, or a merged directory. */
    record Inode(long nodeid, Node node, Merged merged) {
        boolean isDirectory() {
            return merged != null || node.isDirectory();
        }
    }

    private final Store store;
    private final Merged root;
    private final Map<Long, Merged> merged = new ConcurrentHashMap<>();
    private final Map<String, Merged> mergedByName = new ConcurrentHashMap<>();
    private final AtomicLong nextMerged = new AtomicLong(MERGED | 2);
    /** Where each artifact's root is in the mount ("" or "a/b/"), by artifact id. */
    private final Map<Long, String> layerPaths = new HashMap<>();

    public LayerTree(Store store, List<Layer> layers) {
        this.store = store;
        this.root = new Merged(ROOT, new ArrayList<>());
        merged.put(ROOT, root);
        for (Layer layer : layers) {
            layerPaths.putIfAbsent(layer.artifact().id(), layer.path().isEmpty() ? "" : layer.path() + "/");
            Merged at = root;
            if (!layer.path().isEmpty()) {
                for (String part : layer.path().split("/")) {
                    at = at.onPaths.computeIfAbsent(part, p -> newMerged(new ArrayList<>()));
                }
            }
            at.storeDirectories.add(layer.artifact().rootId());
        }
    }

    private Merged newMerged(List<Long> directories) {
        Merged directory = new Merged(nextMerged.getAndIncrement(), directories);
        merged.put(directory.id, directory);
        return directory;
    }

    Optional<Inode> inode(long nodeid) {
        if ((nodeid & MERGED) != 0 || nodeid == ROOT) {
            Merged directory = merged.get(nodeid);
            return directory == null ? Optional.empty() : Optional.of(mergedInode(directory));
        }
        return store.node(nodeid).map(node -> new Inode(nodeid, node, null));
    }

    private Inode mergedInode(Merged directory) {
        List<Long> dirs = directory.storeDirectories;
        Node top = dirs.isEmpty() ? null : store.node(dirs.get(dirs.size() - 1)).orElse(null);
        return new Inode(directory.id, top, directory);
    }

    Optional<Inode> lookup(long parent, String name) {
        Optional<Inode> directory = inode(parent);
        if (directory.isEmpty() || !directory.get().isDirectory()) {
            return Optional.empty();
        }
        Merged at = directory.get().merged();
        if (at == null) {
            return store.child(parent, name).map(node -> new Inode(node.id(), node, null));
        }
        List<Long> dirs = new ArrayList<>();
        for (int i = at.storeDirectories.size() - 1; i >= 0; i--) {
            Optional<Node> match = store.child(at.storeDirectories.get(i), name);
            if (match.isEmpty()) {
                continue;
            }
            if (!match.get().isDirectory()) {
                if (dirs.isEmpty() && !at.onPaths.containsKey(name)) {
                    return Optional.of(new Inode(match.get().id(), match.get(), null));
                }
                break; // hidden by the directories above it
            }
            dirs.add(0, match.get().id());
        }
        Merged onPath = at.onPaths.get(name);
        if (onPath == null && dirs.size() == 1) {
            long id = dirs.get(0);
            return store.node(id).map(node -> new Inode(id, node, null));
        }
        if (onPath == null && dirs.isEmpty()) {
            return Optional.empty();
        }
        if (onPath != null && dirs.isEmpty()) {
            return Optional.of(mergedInode(onPath));
        }
        Merged combined = mergedByName.computeIfAbsent(at.id + "/" + name, key -> {
            List<Long> all = new ArrayList<>(dirs);
            if (onPath != null) {
                all.addAll(onPath.storeDirectories);
            }
            Merged directoryOfBoth = newMerged(all);
            if (onPath != null) {
                directoryOfBoth.onPaths.putAll(onPath.onPaths);
            }
            return directoryOfBoth;
        });
        return Optional.of(mergedInode(combined));
    }

    /**
     * Up to {@code max} names of a directory after {@code afterName} ("" for the first), in the
     * store's name order (bytewise UTF-8), with their inodes.
     */
    List<Map.Entry<String, Inode>> list(Inode directory, String afterName, int max) {
        if (directory.merged() == null) {
            List<Map.Entry<String, Inode>> children = new ArrayList<>();
            for (Node child : store.children(directory.nodeid(), afterName, max)) {
                children.add(Map.entry(child.name(), new Inode(child.id(), child, null)));
            }
            return children;
        }
        Merged at = directory.merged();
        TreeSet<String> names = new TreeSet<>(UTF8_ORDER);
        at.onPaths.keySet().stream().filter(name -> UTF8_ORDER.compare(name, afterName) > 0).forEach(names::add);
        for (long dir : at.storeDirectories) {
            store.children(dir, afterName, max).forEach(child -> names.add(child.name()));
        }
        List<Map.Entry<String, Inode>> entries = new ArrayList<>();
        for (String name : names) {
            if (entries.size() == max) {
                break;
            }
            lookup(at.id, name).ifPresent(inode -> entries.add(Map.entry(name, inode)));
        }
        return entries;
    }

    /** The regular file at {@code path} ('/'-separated, relative to the mount's root), if there is one. */
    public Optional<Node> file(String path) {
        Optional<Inode> at = inode(ROOT);
        for (String part : path.split("/")) {
            if (at.isEmpty()) {
                return Optional.empty();
            }
            if (!part.isEmpty() && !part.equals(".")) {
                at = lookup(at.get().nodeid(), part);
            }
        }
        return at.map(Inode::node).filter(node -> node != null && node.isFile());
    }

    /** The path of a store node in the mount (a file hidden by a higher layer has one too). */
    public String mountPath(Node node) {
        return layerPaths.getOrDefault(node.artifactId(), "") + pathInArtifact(node);
    }

    /** The path of a store node inside its artifact, for {@code user.thawfs.source}. */
    String pathInArtifact(Node node) {
        return store.pathInArtifact(node);
    }

    /** The store directories a directory inode is made of, highest layer first. */
    List<Long> storeDirectories(Inode directory) {
        if (directory.merged() == null) {
            return List.of(directory.nodeid());
        }
        List<Long> highestFirst = new ArrayList<>(directory.merged().storeDirectories);
        java.util.Collections.reverse(highestFirst);
        return highestFirst;
    }
}
