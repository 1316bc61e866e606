package dev.thawfs.fetcher;

import java.io.IOException;

/** A failure worth retrying: a 5xx, throttling, a reset connection, a truncated body. */
public final class TransientFetchException extends IOException {
    public TransientFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
