package dev.thawfs.fs.engine;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-open passthrough bookkeeping (tier B): one backing id per inode, shared by all its
 * concurrent passthrough opens (the kernel answers a second id with EBUSY, an EIO for the user),
 * dropped after the inode's last release.
 */
public final class Backings {
    private record Backing(int id, int opens) {
    }

    private final Map<Long, Backing> byNode = new ConcurrentHashMap<>();

    /**
     * The backing id for one more passthrough open of {@code nodeid}: the inode's current one, or
     * {@code file} newly registered.
     *
     * @return as {@link KernelConnection#openBacking}: an id, 0 for no passthrough, or -errno
     */
    public int acquire(KernelConnection kernel, long nodeid, Path file) {
        int[] id = {0};
        byNode.compute(nodeid, (node, backing) -> {
            if (backing != null) {
                id[0] = backing.id();
                return new Backing(backing.id(), backing.opens() + 1);
            }
            id[0] = kernel.openBacking(file);
            return id[0] > 0 ? new Backing(id[0], 1) : null;
        });
        return id[0];
    }

    /** One passthrough open of {@code nodeid} closed; the last one drops the backing id. */
    public void release(KernelConnection kernel, long nodeid) {
        byNode.computeIfPresent(nodeid, (node, backing) -> {
            if (backing.opens() > 1) {
                return new Backing(backing.id(), backing.opens() - 1);
            }
            kernel.closeBacking(backing.id());
            return null;
        });
    }

    /** Whether the kernel holds a backing file for {@code nodeid} now (some passthrough open is live). */
    public boolean attached(long nodeid) {
        return byNode.containsKey(nodeid);
    }
}
