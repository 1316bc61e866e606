package dev.thawfs.store;

/** A store that cannot do what was asked; the message says what is wrong and what to do. */
public class StoreException extends RuntimeException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
