package dev.thawfs.store;

import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of an imported artifact's tree.
 *
 * @param mode permission bits (07777); {@link #statMode()} adds the type
 * @param parentId, name the directory and name the node is reached through; a hard-linked node has
 *     several, and the store gives it the one it was looked up or listed by
 * @param nlink names of this node (hard links are names of one node); 1 for directories, which
 *     tells tools like find not to guess subdirectory counts from it
 * @param blobId the content's blob (0 for directories and symlinks)
 * @param locator the fetcher's note of where the bytes are within the artifact
 */
public record Node(
        long id,
        long artifactId,
        long parentId,
        String name,
        NodeType type,
        int mode,
        int nlink,
        long size,
        long mtimeSec,
        int mtimeNsec,
        long blobId,
        String linkTarget,
        byte[] locator) {

    static final int VERSION = 1;

    /** The locator's bytes, a copy: a node is a value, equal to another node with the same fields. */
    @Override
    public byte[] locator() {
        return locator.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Node node && id == node.id && artifactId == node.artifactId
                && parentId == node.parentId && Objects.equals(name, node.name) && type == node.type && mode == node.mode
                && nlink == node.nlink && size == node.size && mtimeSec == node.mtimeSec
                && mtimeNsec == node.mtimeNsec && blobId == node.blobId
                && Objects.equals(linkTarget, node.linkTarget)
                && Arrays.equals(locator, node.locator);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Objects.hashCode(name);
    }

    @Override
    public String toString() {
        return "Node[id=" + id + ", artifact=" + artifactId + ", parent=" + parentId + ", name=" + name + ", " + type
                + ", size=" + size + ", blob=" + blobId + "]";
    }

    public int statMode() {
        return type.modeBits() | (mode & 07777);
    }

    public boolean isDirectory() {
        return type == NodeType.DIRECTORY;
    }

    public boolean isFile() {
        return type == NodeType.FILE;
    }

    Node withAttributes(int newMode, long newMtimeSec, int newMtimeNsec) {
        return new Node(id, artifactId, parentId, name, type, newMode, nlink, size, newMtimeSec, newMtimeNsec, blobId,
                linkTarget, locator);
    }

    Node withNlink(int newNlink) {
        return new Node(id, artifactId, parentId, name, type, mode, newNlink, size, mtimeSec, mtimeNsec, blobId,
                linkTarget, locator);
    }

    /**
     * This node under another of its names (a hard link's, or the one it keeps when it loses its
     * own): the same node in {@code parent} as {@code newName}.
     */
    Node named(long parent, String newName) {
        if (parent == parentId && newName.equals(name)) {
            return this;
        }
        return new Node(id, artifactId, parent, newName, type, mode, nlink, size, mtimeSec, mtimeNsec, blobId,
                linkTarget, locator);
    }

    byte[] encode() {
        return RecordCodec.writer(VERSION).putLong(artifactId).putLong(parentId).putString(name).putByte(type.code)
                .putInt(mode).putInt(nlink).putLong(size).putLong(mtimeSec).putInt(mtimeNsec).putLong(blobId)
                .putString(linkTarget).putBytes(locator).toBytes();
    }

    static Node decode(long id, byte[] record) {
        RecordCodec.Reader r = new RecordCodec.Reader(record, VERSION, "node " + id);
        return new Node(id, r.getLong(), r.getLong(), r.getString(), NodeType.ofCode(r.getByte()), r.getInt(),
                r.getInt(), r.getLong(), r.getLong(), r.getInt(), r.getLong(), r.getString(), r.getBytes());
    }
}
