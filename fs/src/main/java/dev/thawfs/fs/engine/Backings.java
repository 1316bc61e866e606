package dev.thawfs.fs.engine;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-open passthrough bookkeeping (tier B): one backing id per inode, shared by all its
 * concurrent passthrough opens (the kernel answers a second id with EBUSY, an EIO for the user).
 * After an inode's last release its id stays registered for a while, so reopening a file costs
 * no new registration; the least recently idle ids are closed beyond {@link #IDLE_IDS}.
 */
public final class Backings {
    static final int IDLE_IDS = 4096;

    private static final class Backing {
        final int id;
        int opens;

        Backing(int id) {
            this.id = id;
        }
    }

    private final Map<Long, Backing> byNode = new HashMap<>();
    private final LinkedHashMap<Long, Backing> idle = new LinkedHashMap<>();

    /**
     * The backing id for one more passthrough open of {@code nodeid}: the inode's current one, or
     * {@code file} newly registered while the tier passes through. An inode with live passthrough
     * opens keeps its id after a downgrade, since every open of an inode must share one io mode.
     *
     * @return as {@link KernelConnection#openBacking}: an id, 0 for no passthrough, or -errno
     */
    public synchronized int acquire(KernelConnection kernel, long nodeid, Path file) {
        Backing backing = byNode.get(nodeid);
        boolean live = backing != null && backing.opens > 0;
        if (!live && !kernel.tier().passesThrough()) {
            return 0;
        }
        if (backing == null) {
            int id = kernel.openBacking(file);
            if (id <= 0) {
                return id;
            }
            backing = new Backing(id);
            byNode.put(nodeid, backing);
        }
        idle.remove(nodeid);
        backing.opens++;
        return backing.id;
    }

    /** One passthrough open of {@code nodeid} closed; the id idles, and the oldest idle ids are dropped. */
    public synchronized void release(KernelConnection kernel, long nodeid) {
        Backing backing = byNode.get(nodeid);
        if (backing == null || --backing.opens > 0) {
            return;
        }
        idle.put(nodeid, backing);
        while (idle.size() > IDLE_IDS) {
            Map.Entry<Long, Backing> oldest = idle.entrySet().iterator().next();
            idle.remove(oldest.getKey());
            byNode.remove(oldest.getKey());
            kernel.closeBacking(oldest.getValue().id);
        }
    }

    /** Whether the kernel holds a backing file for {@code nodeid} now (some passthrough open is live). */
    public synchronized boolean attached(long nodeid) {
        Backing backing = byNode.get(nodeid);
        return backing != null && backing.opens > 0;
    }
}
