package dev.thawfs.fetcher;

import dev.thawfs.config.BadEntryPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * An artifact's index, entry by entry, as its format reads it; a bad entry refuses the artifact or
 * is left out, as the policy says. Failures surface as {@link UncheckedIOException}.
 */
abstract class EntryIterator implements Iterator<IndexEntry> {
    private final BadEntryPolicy onBadEntry;
    private IndexEntry next;
    private boolean ended;

    EntryIterator(BadEntryPolicy onBadEntry) {
        this.onBadEntry = onBadEntry;
    }

    /** The next entry, or null at the end. */
    abstract IndexEntry read() throws IOException;

    @Override
    public final boolean hasNext() {
        try {
            while (next == null && !ended) {
                try {
                    next = read();
                    ended = next == null;
                } catch (BadEntryException e) {
                    e.skipOrRefuse(onBadEntry);
                }
            }
            return next != null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public final IndexEntry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        IndexEntry entry = next;
        next = null;
        return entry;
    }
}
