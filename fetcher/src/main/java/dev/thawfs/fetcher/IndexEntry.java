package dev.thawfs.fetcher;

/**
 * One entry of an artifact's index.
 *
 * @param path relative, '/'-separated, no '.', '..' or empty components: never outside the root
 * @param mode permission bits (07777)
 * @param locator where the entry's bytes are, in the artifact's own terms (opaque to callers)
 */
public record IndexEntry(
        String path,
        EntryType type,
        int mode,
        long size,
        long mtimeSec,
        int mtimeNsec,
        String linkTarget,
        String hardLinkTarget,
        byte[] locator) {
}
