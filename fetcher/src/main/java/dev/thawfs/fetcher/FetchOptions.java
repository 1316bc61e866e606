package dev.thawfs.fetcher;

import dev.thawfs.config.HttpSettings;
import dev.thawfs.config.S3Settings;

/**
 * How artifacts are fetched: where from (S3 settings, null for local sources only; HTTP
 * settings), how failures are retried, how large objects are split into parallel ranges, the
 * caps against hostile archives, and how tar.gz seek indexes are built and kept.
 */
public record FetchOptions(S3Settings s3, HttpSettings http, RetryPolicy retry, RangeReader.Parallelism parallelism,
        ArchiveLimits limits, SeekIndexOptions seekIndexes) {

    public static FetchOptions defaults(S3Settings s3) {
        return new FetchOptions(s3, HttpSettings.defaults(), RetryPolicy.defaults(), RangeReader.Parallelism.defaults(),
                ArchiveLimits.defaults(), SeekIndexOptions.defaults());
    }

    public FetchOptions withHttp(HttpSettings settings) {
        return new FetchOptions(s3, settings, retry, parallelism, limits, seekIndexes);
    }

    public FetchOptions withSeekIndexes(SeekIndexOptions options) {
        return new FetchOptions(s3, http, retry, parallelism, limits, options);
    }
}
