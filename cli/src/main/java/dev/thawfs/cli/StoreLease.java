package dev.thawfs.cli;

import dev.thawfs.store.Store;

/**
 * A command's use of a store: one it opened and closes, or the one the daemon owning the store
 * shares, which goes back on close.
 */
record StoreLease(Store store, Runnable release) implements AutoCloseable {
    @Override
    public void close() {
        release.run();
    }
}
