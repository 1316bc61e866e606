package dev.thawfs.fetcher;

import dev.thawfs.config.BadEntryPolicy;

/**
 * Caps against hostile archives (zip bombs and the like).
 *
 * @param maxEntries entries an artifact may have
 * @param maxExpansionRatio uncompressed ÷ compressed size of one zip entry
 * @param maxEntryBytes size one entry may declare
 * @param onBadEntry whether one bad entry refuses the artifact or is left out
 */
public record ArchiveLimits(long maxEntries, long maxExpansionRatio, long maxEntryBytes, BadEntryPolicy onBadEntry) {
    public static ArchiveLimits defaults() {
        return new ArchiveLimits(5_000_000, 1000, 64L << 30, BadEntryPolicy.REFUSE);
    }
}
