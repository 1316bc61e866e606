package dev.thawfs.fetcher;

import dev.thawfs.config.HttpSettings;
import dev.thawfs.config.S3Settings;

/**
 * How artifacts are fetched: where from (S3 settings, null for local sources only; HTTP
 * settings), how failures are retried, how large objects are split into parallel ranges, and the
 * caps against hostile archives.
 */
public record FetchOptions(S3Settings s3, HttpSettings http, RetryPolicy retry, RangeReader.Parallelism parallelism,
        ArchiveLimits limits) {

    public static FetchOptions defaults(S3Settings s3) {
        return new FetchOptions(s3, HttpSettings.defaults(), RetryPolicy.defaults(), RangeReader.Parallelism.defaults(),
                ArchiveLimits.defaults());
    }

    public FetchOptions withHttp(HttpSettings settings) {
        return new FetchOptions(s3, settings, retry, parallelism, limits);
    }
}
