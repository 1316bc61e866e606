package dev.thawfs.fetcher;

import dev.thawfs.config.BadEntryPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/** One artifact: its index, and any entry's bytes on demand. */
public interface ArtifactReader extends AutoCloseable {

    /** The artifact's URI. */
    String uri();

    /** What pins this version: a changed object is a different artifact. */
    String identity();

    /** The entries, streamed: a huge archive is never held in memory whole. */
    Iterator<IndexEntry> index() throws IOException;

    /** Writes a FILE entry's bytes (verified where the format allows) to {@code out}. */
    void extract(byte[] locator, long size, OutputStream out) throws IOException;

    /**
     * Says which entries (their locators) are about to be extracted, so that a reader able to
     * fetch neighbouring entries with one request does. A hint: it fetches nothing by itself.
     */
    default void expect(List<byte[]> locators) {
    }

    /** For an artifact whose index lists nothing up front, how its entries are found by path; else empty. */
    default Optional<EntryFinder> byName() {
        return Optional.empty();
    }

    /** Whether one bad entry refuses the artifact or is left out (hard links are checked by the store). */
    BadEntryPolicy onBadEntry();

    /** Requests and bytes sent to the object store so far. */
    FetchCounters counters();

    /** Releases the connection to the object store. */
    @Override
    void close();
}
