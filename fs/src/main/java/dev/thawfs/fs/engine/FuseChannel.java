package dev.thawfs.fs.engine;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What every request of one session shares: where replies go, the entry format, the interrupt registry. */
final class FuseChannel {
    final Transport transport;
    final FuseFilesystem filesystem;
    final RequestStats stats;
    /** Whether entry replies are fuse_entry2_out: fixed by FUSE_PASSTHROUGH_INO at INIT, whatever the tier later. */
    final boolean entry2;
    private final Map<Long, FuseRequest> interruptible = new ConcurrentHashMap<>();
    private final Set<Long> unmatchedInterrupts = ConcurrentHashMap.newKeySet();
    private volatile boolean ended;

    FuseChannel(Transport transport, FuseFilesystem filesystem, RequestStats stats, boolean entry2) {
        this.transport = transport;
        this.filesystem = filesystem;
        this.stats = stats;
        this.entry2 = entry2;
    }

    /** The connection is gone and the filesystem about to be destroyed: late answers touch it no more. */
    void end() {
        ended = true;
    }

    boolean ended() {
        return ended;
    }

    /** This thread's reply buffer, cleared. */
    ByteBuffer replyBuffer() {
        return transport.replyBuffer();
    }

    void registerInterruptible(FuseRequest request) {
        interruptible.put(request.unique(), request);
        if (request.isAnswered()) {
            interruptible.remove(request.unique()); // answered while registering: nothing to interrupt
        } else if (unmatchedInterrupts.remove(request.unique())) {
            request.interrupt();
        }
    }

    /** FUSE_INTERRUPT may overtake its target; then it waits here until the target registers or replies. */
    void interrupt(long unique) {
        FuseRequest target = interruptible.get(unique);
        if (target != null) {
            target.interrupt();
            return;
        }
        unmatchedInterrupts.add(unique);
        target = interruptible.get(unique);
        if (target != null && unmatchedInterrupts.remove(unique)) {
            target.interrupt();
        }
    }

    void answered(FuseRequest request, boolean wasInterruptible) {
        if (wasInterruptible) {
            interruptible.remove(request.unique());
        }
        if (!unmatchedInterrupts.isEmpty()) {
            unmatchedInterrupts.remove(request.unique());
        }
    }
}
