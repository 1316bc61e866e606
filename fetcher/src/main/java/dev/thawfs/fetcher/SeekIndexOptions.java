package dev.thawfs.fetcher;

import dev.thawfs.config.Settings;
import java.nio.file.Path;

/**
 * How tar.gz seek indexes are built, by a mount's index pass or {@code thawfs index}: compressed
 * bytes between checkpoints, and the store directory they are kept in (null: none kept).
 */
public record SeekIndexOptions(long spacing, Path localDirectory) {
    public static SeekIndexOptions defaults() {
        return new SeekIndexOptions(Settings.defaults().get(Settings.INDEX_CHECKPOINT_SPACING), null);
    }
}
