package dev.thawfs.store;

/** Materialization progress, for progress bars: called from materializing threads. */
public interface Progress {
    Progress NONE = new Progress() {
    };

    /** {@code count} more bytes were written to the store. */
    default void bytes(long count) {
    }

    /** A file became complete (durable and verified). */
    default void fileDone(Node node) {
    }
}
