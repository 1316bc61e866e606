package dev.thawfs.fs.kernel;

import java.io.IOException;

/** A mount that cannot go ahead; the message says what is wrong and what to do. */
public final class MountException extends IOException {
    public MountException(String message) {
        super(message);
    }
}
