package dev.thawfs.config;

import java.time.Duration;

/** Sizes and durations written the way settings accept them. */
public final class Sizes {
    private Sizes() {
    }

    /** {@code 64MiB}, {@code 10GiB}, {@code 4096} (bytes when no binary unit fits exactly). */
    public static String format(long bytes) {
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        String text = Long.toString(bytes);
        for (int i = 0; i < units.length && bytes != 0 && bytes % (1L << (10 * (i + 1))) == 0; i++) {
            text = (bytes >> (10 * (i + 1))) + units[i];
        }
        return text;
    }

    /** {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}: the largest unit that is exact. */
    public static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds != 0 && seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds != 0 && seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }
}
