package dev.thawfs.fetcher;

/**
 * A source as the user wrote it cannot be used (no bucket, no host, an unknown format, a layer
 * path with "..", ...): the message says what to write instead. Commands answer it as a usage
 * error; any other {@link IllegalArgumentException} is a bug.
 */
public final class BadSourceException extends IllegalArgumentException {
    public BadSourceException(String message) {
        super(message);
    }
}
