package dev.thawfs.fs.thaw;

import java.time.Duration;

/**
 * How a thawfs mount fetches.
 *
 * @param materializeOnOpenBytes cold files up to this size are fetched whole before their open is answered
 * @param fetchTimeout how long an open or a read waits for content before it fails with EIO (the
 *     fetch itself goes on, bounded by the fetcher's own timeouts)
 * @param readAheadBytes on the first cold open in a directory, its other cold files up to this many
 *     bytes are fetched too, in parallel: a program that opens one file of a package usually opens
 *     its neighbours next; 0 turns it off
 */
public record ThawOptions(long materializeOnOpenBytes, Duration fetchTimeout, long readAheadBytes) {
    public static ThawOptions defaults() {
        return new ThawOptions(64L << 20, Duration.ofSeconds(60), 1L << 20);
    }
}
