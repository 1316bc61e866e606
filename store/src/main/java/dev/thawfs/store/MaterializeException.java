package dev.thawfs.store;

/** One entry could not be materialized; {@link #reason} tells the filesystem which errno to answer. */
public final class MaterializeException extends StoreException {
    /**
     * Why: the disk is full (ENOSPC), the bytes are not the entry's (EIO), the source failed (EIO),
     * or the store's disk failed a write with space left (EIO).
     */
    public enum Reason { NO_SPACE, CORRUPT, SOURCE, STORE }

    private final Reason reason;

    public MaterializeException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
