package dev.thawfs.fetcher;

/** What an index entry is. */
public enum EntryType {
    DIRECTORY,
    FILE,
    SYMLINK,
    /** A second name of a FILE entry's content; {@link IndexEntry#hardLinkTarget} names it. */
    HARD_LINK
}
