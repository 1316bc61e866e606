package dev.thawfs.fetcher;

/**
 * One object as a store listed or stat'ed it.
 *
 * @param identity what pins this version of the object: its ETag (S3) or size and mtime (files);
 *     a read pinned to it fails rather than mix bytes of two versions
 */
public record ObjectInfo(String key, long size, String identity, long mtimeMillis) {
}
