package dev.thawfs.config;

/** What one bad entry of an artifact (a name that would leave it, too long a name, a zip bomb, ...) does. */
public enum BadEntryPolicy {
    /** The artifact is not mounted; the error names the entry. */
    REFUSE,
    /** The entry is left out, with a warning naming the artifact, the entry and the reason. */
    SKIP
}
