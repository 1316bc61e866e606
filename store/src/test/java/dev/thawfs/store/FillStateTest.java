package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Readers waiting for a blob's bytes continue on the fetch thread, never inside the fill's monitor. */
class FillStateTest {

    @Test
    void waitersForAPrefixRunOutsideTheMonitor() {
        FillState fill = new FillState(1000);
        List<Boolean> heldLock = new ArrayList<>();
        CompletableFuture<Void> reader = fill.whenFilled(100).thenRun(() -> heldLock.add(Thread.holdsLock(fill)));
        fill.advance(50);
        assertFalse(reader.isDone(), "50 of the 100 bytes it waits for");
        fill.advance(60);
        assertTrue(reader.isDone());
        assertEquals(List.of(false), heldLock, "the reader's continuation ran without the fill's monitor");
    }

    @Test
    void waitersForTheWholeFileRunOutsideTheMonitorOnSuccessAndFailure() {
        FillState fill = new FillState(1000);
        List<Boolean> heldLock = new ArrayList<>();
        CompletableFuture<Void> whole = fill.whenFilled(1000).thenRun(() -> heldLock.add(Thread.holdsLock(fill)));
        fill.advance(1000);
        assertFalse(whole.isDone(), "the last byte waits for verification");
        fill.finish(null);
        assertTrue(whole.isDone());

        FillState failing = new FillState(1000);
        failing.whenFilled(1000).whenComplete((ok, error) -> heldLock.add(Thread.holdsLock(failing)));
        failing.finish(new java.io.IOException("broken"));
        assertEquals(List.of(false, false), heldLock);
        assertTrue(failing.whenFilled(10).isCompletedExceptionally(), "a failed fill fails later waiters at once");
    }
}
