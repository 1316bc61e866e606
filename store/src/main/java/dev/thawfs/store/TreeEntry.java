package dev.thawfs.store;

/**
 * One entry of an artifact's index as the store imports it.
 *
 * @param path relative, '/'-separated, without '.' or '..' components (the fetcher guarantees it)
 * @param hardLinkTarget for a hard link, the path of the entry whose content it shares; else null
 * @param locator the fetcher's note of where the entry's bytes are
 */
public record TreeEntry(
        String path,
        NodeType type,
        int mode,
        long size,
        long mtimeSec,
        int mtimeNsec,
        String linkTarget,
        String hardLinkTarget,
        byte[] locator) {
}
