package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Eviction claims a blob and drops it outside the lock that pinning takes. */
class PinsTest {
    private final Pins pins = new Pins();

    @Test
    void aPinnedBlobIsNeverClaimedAndAnUnpinnedOneIsClaimedOnce() {
        pins.pin(1);
        assertFalse(pins.claimForEviction(1));
        pins.unpin(1);
        assertTrue(pins.claimForEviction(1));
        assertFalse(pins.claimForEviction(1), "one eviction at a time");
        pins.evicted(1);
        assertTrue(pins.claimForEviction(1));
        pins.evicted(1);
    }

    @Test
    void aPinOfABlobBeingDroppedWaitsForTheDropAndOtherBlobsDoNot() throws Exception {
        assertTrue(pins.claimForEviction(7));
        Thread pinning = new Thread(() -> pins.pin(7));
        pinning.start();
        while (pinning.getState() != Thread.State.WAITING) {
            assertTrue(pinning.isAlive(), "the pin of a blob being dropped went ahead");
            Thread.onSpinWait();
        }
        CompletableFuture.runAsync(() -> pins.pin(8)).get(30, TimeUnit.SECONDS); // another blob: no wait
        pins.evicted(7);
        pinning.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(pinning.isAlive(), "the pin went ahead once the drop was done");
        assertFalse(pins.claimForEviction(7), "pinned now");
    }
}
