package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.NativeBuffer;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Threads that receive requests and dispatch them until the connection ends. A slow request is
 * parked by its filesystem and answered later from another thread, so a few workers suffice.
 */
final class RequestWorkers {
    private static final System.Logger LOG = System.getLogger(RequestWorkers.class.getName());

    private final Transport transport;
    private final FuseChannel channel;
    private final Runnable whenAllStopped;
    private final AtomicInteger running = new AtomicInteger();

    /** @param whenAllStopped runs once, on the last worker to stop */
    RequestWorkers(Transport transport, FuseChannel channel, Runnable whenAllStopped) {
        this.transport = transport;
        this.channel = channel;
        this.whenAllStopped = whenAllStopped;
    }

    void start(int count, String namePrefix) {
        running.set(count);
        for (int i = 0; i < count; i++) {
            Thread worker = new Thread(this::serve, namePrefix + i);
            worker.setDaemon(true);
            worker.start();
        }
    }

    private void serve() {
        NativeBuffer buffer = NativeBuffer.allocate(Transport.REQUEST_CAPACITY);
        Dispatcher dispatcher = new Dispatcher(channel);
        while (true) {
            int length = transport.receive(buffer);
            if (length >= 0) {
                dispatcher.dispatch(buffer.buffer(), length);
                continue;
            }
            int errno = -length;
            // ENOENT: the request was interrupted before it could be read; ENODEV: unmounted.
            if (errno == Errno.EINTR || errno == Errno.EAGAIN || errno == Errno.ENOENT) {
                continue;
            }
            if (errno != Errno.ENODEV) {
                LOG.log(System.Logger.Level.ERROR, "receiving a request failed: " + Errno.describe(errno)
                        + "; worker " + Thread.currentThread().getName() + " stops");
            }
            break;
        }
        if (running.decrementAndGet() == 0) {
            whenAllStopped.run();
        }
    }
}
