package dev.thawfs.store;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * How far a blob being materialized is filled, so readers of a large file can be served the
 * bytes already written while the rest streams in. Content arrives in order, so one watermark
 * says it all.
 */
final class FillState {
    private record Waiter(long end, CompletableFuture<Void> ready) {
    }

    private final List<Waiter> waiters = new ArrayList<>();
    private long filled;
    private Throwable failure;
    private boolean done;

    /** Completes once bytes [0, end) are in the blob file (or the fill ends, either way). */
    synchronized CompletableFuture<Void> whenFilled(long end) {
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        if (done || filled >= end) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> ready = new CompletableFuture<>();
        waiters.add(new Waiter(end, ready));
        return ready;
    }

    synchronized void advance(long bytes) {
        filled += bytes;
        for (Iterator<Waiter> it = waiters.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.end() <= filled) {
                waiter.ready().complete(null);
                it.remove();
            }
        }
    }

    synchronized void finish(Throwable error) {
        done = true;
        failure = error;
        for (Waiter waiter : waiters) {
            if (error == null) {
                waiter.ready().complete(null);
            } else {
                waiter.ready().completeExceptionally(error);
            }
        }
        waiters.clear();
    }
}
