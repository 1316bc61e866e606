package dev.thawfs.fetcher;

import java.io.IOException;

/** A server answered in a way thawfs cannot use, and asking again would not change it: not retried. */
public final class UnusableAnswerException extends IOException {
    public UnusableAnswerException(String message) {
        super(message);
    }
}
