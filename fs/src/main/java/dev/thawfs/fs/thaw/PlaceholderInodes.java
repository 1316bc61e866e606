package dev.thawfs.fs.thaw;

import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.store.Node;
import dev.thawfs.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Tier A (FUSE_PASSTHROUGH_INO): a regular file's nodeid is the inode number of its blob file,
 * which exists as a placeholder before the name is first shown, because the kernel attaches a
 * backing file only if nodeid == statx.ino == the backing file's st_ino. Hard links of one
 * content are one inode. Directories and symlinks, never backed, take nodeids with the top bit
 * set so they cannot collide. Each file inode gets one backing id, registered once its content is
 * complete (set-once in the kernel) and closed when the kernel forgets the inode; its blob stays
 * pinned meanwhile, since the kernel reads the backing file without asking.
 */
final class PlaceholderInodes implements Inodes {
    static final long NOT_A_FILE = 1L << 63;
    /** A cold file's entry expires soon, so the lookup after materialization can attach. */
    static final long COLD_ENTRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private record Name(long parent, String name) {
    }

    /**
     * Lookups and names change only inside {@code files.compute} for the inode's key (the map's
     * lock also decides when it is forgotten); the backing id under the inode's own monitor.
     */
    private static final class FileInode {
        /** {@link #backingId} of an inode the kernel forgot: no backing may be registered any more. */
        static final int FORGOTTEN = -1;

        final Node node;
        final Set<Name> names = new HashSet<>();
        long lookups;
        volatile int backingId;

        FileInode(Node node) {
            this.node = node;
        }
    }

    private final LayerTree tree;
    private final Store store;
    private final KernelConnection kernel;
    private final Map<Long, FileInode> files = new ConcurrentHashMap<>();
    private final Map<Long, Long> inoByBlob = new ConcurrentHashMap<>();

    PlaceholderInodes(LayerTree tree, Store store, KernelConnection kernel) {
        this.tree = tree;
        this.store = store;
        this.kernel = kernel;
    }

    @Override
    public long expose(LayerTree.Inode inode, long parent, String name) {
        if (inode.nodeid() == LayerTree.ROOT) {
            return LayerTree.ROOT;
        }
        if (inode.node() == null || !inode.node().isFile()) {
            return inode.nodeid() | NOT_A_FILE;
        }
        Node node = inode.node();
        Long known = inoByBlob.get(node.blobId());
        long ino = known != null ? known : inoByBlob.merge(node.blobId(), placeholderIno(node), (first, same) -> first);
        files.compute(ino, (key, file) -> {
            FileInode counted = file == null ? new FileInode(node) : file;
            counted.lookups++;
            counted.names.add(new Name(parent, name));
            return counted;
        });
        return ino;
    }

    private long placeholderIno(Node node) {
        try {
            return NativeFiles.lstat(store.ensurePlaceholder(node)).ino();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ErrnoException e) {
            throw new UncheckedIOException(new IOException(e.getMessage()));
        }
    }

    @Override
    public Optional<LayerTree.Inode> resolve(long nodeid) {
        if (nodeid == LayerTree.ROOT || (nodeid & NOT_A_FILE) != 0) {
            return tree.inode(nodeid & ~NOT_A_FILE);
        }
        FileInode file = files.get(nodeid);
        return file == null ? Optional.empty() : Optional.of(new LayerTree.Inode(file.node.id(), file.node, null));
    }

    @Override
    public void forget(long nodeid, long lookups) {
        FileInode[] forgotten = {null};
        files.computeIfPresent(nodeid, (key, file) -> {
            file.lookups -= lookups;
            if (file.lookups > 0) {
                return file;
            }
            forgotten[0] = file;
            return null;
        });
        if (forgotten[0] == null) {
            return;
        }
        FileInode file = forgotten[0];
        int backingId;
        synchronized (file) {
            backingId = file.backingId;
            file.backingId = FileInode.FORGOTTEN;
        }
        if (backingId > 0) {
            kernel.closeBacking(backingId); // the kernel released its reference at eviction
            store.unpin(file.node);
        }
    }

    @Override
    public int entryBackingId(long nodeid, Node node) {
        FileInode file = files.get(nodeid);
        return file == null ? 0 : Math.max(0, backingId(file, false));
    }

    /**
     * The inode's one backing id, registered the first time if its content is complete (known
     * by the caller, or found so after pinning it): an id, 0, or -errno. The blob stays pinned
     * while the kernel holds the backing file.
     */
    private int backingId(FileInode file, boolean knownComplete) {
        synchronized (file) {
            if (file.backingId == FileInode.FORGOTTEN) {
                return 0;
            }
            if (file.backingId == 0) {
                store.pin(file.node);
                int id = knownComplete || store.isMaterialized(file.node) ? kernel.openBacking(store.blobPath(file.node)) : 0;
                if (id <= 0) {
                    store.unpin(file.node);
                    return id;
                }
                file.backingId = id;
            }
            return file.backingId;
        }
    }

    @Override
    public long entryValidNanos(Node node) {
        return node != null && node.isFile() && !store.isMaterialized(node)
                ? COLD_ENTRY_NANOS : ThawFilesystem.VALIDITY_NANOS;
    }

    /** Zero for files: the LOOKUP that follows is what attaches the backing file. */
    @Override
    public long direntValidNanos(Node node) {
        return node != null && node.isFile() ? 0 : ThawFilesystem.VALIDITY_NANOS;
    }

    @Override
    public int openPassthrough(long nodeid, Node node) {
        FileInode file = files.get(nodeid);
        return file == null ? 0 : backingId(file, true);
    }

    @Override
    public void closePassthrough(long nodeid) {
        // the inode keeps its backing id until the kernel forgets it
    }

    @Override
    public boolean attached(long nodeid) {
        FileInode file = files.get(nodeid);
        return file != null && file.backingId > 0;
    }

    @Override
    public void attachable(Node node) {
        Long ino = inoByBlob.get(node.blobId());
        if (ino == null) {
            return;
        }
        List<Name> names = new ArrayList<>();
        files.computeIfPresent(ino, (key, current) -> {
            names.addAll(current.names);
            return current;
        });
        names.forEach(name -> kernel.invalidateEntry(name.parent(), name.name()));
    }
}
