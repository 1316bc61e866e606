package dev.thawfs.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How far a blob being materialized is filled, so readers of a large file can be served the
 * bytes already written while the rest streams in. Content arrives in order, so one watermark
 * says it all. The last byte is only released once the content is verified: a reader of the
 * whole file never sees an entry that then fails its CRC.
 */
final class FillState {
    private record Waiter(long end, CompletableFuture<Void> ready) {
    }

    private final List<Waiter> waiters = new ArrayList<>();
    private final long size;
    private long filled;
    private Throwable failure;
    private boolean done;

    FillState(long size) {
        this.size = size;
    }

    /**
     * Completes once bytes [0, end) are in the blob file; for the whole file, once it is also
     * verified; exceptionally if the fill fails first.
     */
    synchronized CompletableFuture<Void> whenFilled(long end) {
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        if (done || (filled >= end && end < size)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        waiters.add(new Waiter(end, ready));
        return ready;
    }

    /**
     * More bytes are in the blob file. Waiters are completed after the monitor is released: their
     * continuations (a reader's pread and reply) run on this thread and must not hold it.
     */
    void advance(long bytes) {
        List<Waiter> ready = null; // allocated only when a waiter is due: this runs per write of a fetch
        synchronized (this) {
            filled += bytes;
            for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
                Waiter waiter = it.next();
                if (waiter.end() <= filled && waiter.end() < size) {
                    if (ready == null) {
                        ready = new ArrayList<>();
                    }
                    ready.add(waiter);
                    it.remove();
                }
            }
        }
        if (ready != null) {
            ready.forEach(waiter -> waiter.ready().complete(null));
        }
    }

    /** The content is written and verified (error null), or the fill failed. */
    void finish(Throwable error) {
        List<Waiter> all;
        synchronized (this) {
            done = true;
            failure = error;
            all = List.copyOf(waiters);
            waiters.clear();
        }
        for (Waiter waiter : all) {
            if (error == null) {
                waiter.ready().complete(null);
            } else {
                waiter.ready().completeExceptionally(error);
            }
        }
    }
}
