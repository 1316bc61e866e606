package dev.thawfs.fs.thaw;

import java.time.Duration;

/**
 * How a thawfs mount fetches.
 *
 * @param materializeOnOpenBytes cold files up to this size are fetched whole before their open is answered
 * @param fetchTimeout how long an open or a read waits for content before it fails with EIO (the
 *     fetch itself goes on, bounded by the fetcher's own timeouts)
 * @param readAheadBytes cold opens in a directory fetch its other cold files too, up to this many
 *     bytes, in parallel: the first file opened those no larger than itself, the second file all
 *     of them ({@link DirectoryReadAhead}); 0 turns it off
 * @param sequentialReadAheadBytes opens that go through an artifact in archive order fetch the files
 *     after them in growing windows, at most this many bytes ahead of the reader per artifact
 *     ({@link SequentialReadAhead}); 0 turns it off
 */
public record ThawOptions(long materializeOnOpenBytes, Duration fetchTimeout, long readAheadBytes,
        long sequentialReadAheadBytes) {
    public static ThawOptions defaults() {
        return new ThawOptions(64L << 20, Duration.ofSeconds(60), 1L << 20, 32L << 20);
    }
}
