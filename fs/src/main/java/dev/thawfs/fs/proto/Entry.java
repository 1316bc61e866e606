package dev.thawfs.fs.proto;

/**
 * The answer to a lookup: which inode a name is, for how long the kernel may trust the name
 * and the attributes, and (tier A only) the backing file to attach to the inode.
 *
 * @param nodeid 0 for a negative entry (the name does not exist, cached for entryValidNanos)
 * @param backingId 0 for none; a positive id from the kernel connection otherwise
 */
public record Entry(
        long nodeid,
        long generation,
        long entryValidNanos,
        long attrValidNanos,
        FileAttributes attributes,
        int backingId) {

    public static Entry of(long nodeid, FileAttributes attributes, long entryValidNanos, long attrValidNanos) {
        return new Entry(nodeid, 0, entryValidNanos, attrValidNanos, attributes, 0);
    }
}
