package dev.thawfs.fs.thaw;

import dev.thawfs.fs.kernel.Errno;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * Keeps each inode's opens in one io mode, as the kernel demands (kernel-protocol.md §2.6-2.8):
 * either passed through, all with the inode's one backing id, or served by the daemon.
 *
 * <p>A daemon-served open may be in the kernel's cached mode without the daemon knowing: a cached
 * open is, and so is a direct-io open once it is mapped shared (FUSE_DIRECT_IO_ALLOW_MMAP). While
 * such an open exists, a backing file given to the inode would fail the open with EIO, or its
 * lookup with ETXTBSY, and a mapping of a direct-io open would fail with ENODEV. So every
 * daemon-served open counts until its RELEASE, and the inode passes through again only after
 * the last one.
 */
final class OpenModes {
    private static final class Counts {
        int passedThrough;
        int served;
    }

    private final Map<Long, Counts> byInode = new HashMap<>();

    /**
     * Decides one open of {@code nodeid}: passthrough with the id from {@code backing} when the
     * content is {@code complete} and no daemon-served open exists, else served by the daemon.
     *
     * @param backing the inode's backing id: positive, 0 for none (passthrough off), or -errno
     * @return the backing id (the open passes through), 0 (the daemon serves it), or -errno
     */
    synchronized int open(long nodeid, boolean complete, IntSupplier backing) {
        Counts counts = byInode.computeIfAbsent(nodeid, id -> new Counts());
        if (complete && counts.served == 0) {
            int id = backing.getAsInt();
            if (id > 0) {
                counts.passedThrough++;
                return id;
            }
            if (id < 0) {
                forgetIfIdle(nodeid, counts);
                return id;
            }
        } else if (counts.passedThrough > 0) {
            return -Errno.EIO; // the backing file lost its content under a passthrough open
        }
        counts.served++;
        return 0;
    }

    /**
     * The backing id a lookup may attach to {@code nodeid} (tier A): {@code backing}'s, unless a
     * daemon-served open exists, which would turn the attach into ETXTBSY for the looker-up.
     */
    synchronized int attach(long nodeid, IntSupplier backing) {
        Counts counts = byInode.get(nodeid);
        return counts != null && counts.served > 0 ? 0 : backing.getAsInt();
    }

    /** One open closed; true when it was the inode's last daemon-served one. */
    synchronized boolean release(long nodeid, boolean passedThrough) {
        Counts counts = byInode.get(nodeid);
        if (counts == null) {
            return false;
        }
        boolean lastServed = false;
        if (passedThrough) {
            counts.passedThrough--;
        } else {
            lastServed = --counts.served == 0;
        }
        forgetIfIdle(nodeid, counts);
        return lastServed;
    }

    private void forgetIfIdle(long nodeid, Counts counts) {
        if (counts.passedThrough == 0 && counts.served == 0) {
            byInode.remove(nodeid);
        }
    }
}
