package dev.thawfs.fetcher;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * How an artifact whose index lists nothing up front (an HTTP prefix read with
 * {@code http.listing = none}) finds its entries: one path at a time, asking its origin.
 */
public interface EntryFinder {

    /**
     * The entry at {@code path} (relative to the artifact's root, '/'-separated) as the origin has
     * it now: a FILE, or a DIRECTORY; empty when it has neither.
     */
    Optional<IndexEntry> find(String path) throws IOException;

    /** How long an empty answer holds before the origin is asked again. */
    Duration missingFor();
}
