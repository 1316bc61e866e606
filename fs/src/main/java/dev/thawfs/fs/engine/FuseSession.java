package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.FuseDevice;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.proto.InitFlags;
import dev.thawfs.fs.proto.Negotiation;
import dev.thawfs.fs.proto.PassthroughTier;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One mounted filesystem: mounted over {@code /dev/fuse}, the {@link Handshake}, the
 * {@link RequestWorkers}, and an orderly end (on close, on JVM shutdown, or when someone else
 * unmounts it) that completes {@link #unmounted()} with the request statistics.
 */
public final class FuseSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FuseSession.class.getName());
    private static final long UNMOUNT_WAIT_SECONDS = 10;

    private final Path mountpoint;
    private final FuseDevice device;
    private final FuseFilesystem filesystem;
    private final Transport transport;
    private final DeviceConnection connection;
    private final RequestStats stats = new RequestStats();
    private final FuseChannel channel;
    private final RequestWorkers workers;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CompletableFuture<RequestStats> unmounted = new CompletableFuture<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread shutdownHook;

    private FuseSession(Path mountpoint, FuseDevice device, Transport transport, FuseFilesystem filesystem,
            MountOptions options, Negotiation.Agreement agreement) {
        this.mountpoint = mountpoint;
        this.device = device;
        this.filesystem = filesystem;
        this.transport = transport;
        this.connection = new DeviceConnection(device, transport, options.passthrough(), agreement.tier());
        this.channel = new FuseChannel(transport, filesystem, stats, agreement.tier() == PassthroughTier.A);
        this.workers = new RequestWorkers(transport, channel, this::end);
        this.shutdownHook = new Thread(this::close, "thawfs-unmount");
    }

    /**
     * Mounts {@code filesystem} on {@code mountpoint} and starts serving it. Returns once the
     * kernel has accepted the handshake, so the mount is usable when this returns.
     */
    public static FuseSession mount(Path mountpoint, FuseFilesystem filesystem, MountOptions options)
            throws MountException {
        Path target = Mounts.prepareMountpoint(mountpoint);
        FuseDevice device;
        try {
            device = FuseDevice.open();
        } catch (IOException e) {
            throw new MountException(e.getMessage());
        }
        try {
            Mounts.mount(target, device, options.source(), options.allowOther());
        } catch (MountException e) {
            device.close();
            throw e;
        }
        try {
            Transport devFuse = new DevFuseTransport(device);
            Negotiation.Agreement agreement = Handshake.perform(devFuse, options.passthrough(),
                    filesystem.supportsReaddirplus(), options.transport());
            UringTransport uring = agreement.has(InitFlags.OVER_IO_URING) ? openUring(device) : null;
            FuseSession session = new FuseSession(target, device, uring != null ? uring : devFuse, filesystem, options,
                    agreement);
            if (options.backingProbe() != null) {
                session.connection.probe(options.backingProbe());
            }
            LOG.log(System.Logger.Level.INFO, "mounted " + target + " (FUSE 7." + agreement.minor()
                    + (uring != null ? ", io_uring with " + uring.queues() + " queues" : ", /dev/fuse") + "): "
                    + session.connection.tier().description());
            session.start(uring != null ? uring.workers() : options.workers());
            return session;
        } catch (MountException | RuntimeException e) {
            Mounts.unmount(target);
            device.close();
            throw e;
        }
    }

    private static UringTransport openUring(FuseDevice device) throws MountException {
        try {
            return UringTransport.open(device);
        } catch (IOException e) {
            throw new MountException("cannot set up FUSE over io_uring: " + e.getMessage() + ". Mount with --transport dev");
        }
    }

    private void start(int workerCount) {
        Mounts.setReadahead(mountpoint, Negotiation.MAX_PAGES * 4);
        filesystem.init(connection);
        workers.start(workerCount, "thawfs-fuse-");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Runs once, when the last worker stops: the kernel connection is gone. */
    private void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        Mounts.unmount(mountpoint); // a no-op unless the workers died of something else
        transport.close(); // refuses the answers it still holds, while the filesystem can release their opens
        channel.end();
        try {
            filesystem.destroy();
        } finally {
            device.close();
            unmounted.complete(stats);
            finished.countDown();
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public PassthroughTier tier() {
        return connection.tier();
    }

    /** How requests travel: {@code io_uring} or {@code /dev/fuse}. */
    public String transport() {
        return transport instanceof UringTransport uring && uring.inUse() ? "io_uring" : "/dev/fuse";
    }

    public RequestStats stats() {
        return stats;
    }

    /**
     * Completes with the request statistics once the filesystem is unmounted; what depends on it
     * runs before {@link #awaitUnmount} returns.
     */
    public CompletableFuture<RequestStats> unmounted() {
        return unmounted;
    }

    /** Blocks until the filesystem is unmounted, by {@link #close} or by anyone else. */
    public void awaitUnmount() throws InterruptedException {
        finished.await();
    }

    /** Unmounts (lazily if busy) and waits a bounded time for the workers to see it. */
    @Override
    public void close() {
        if (Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException | IllegalArgumentException alreadyShuttingDownOrRemoved) {
                // the hook is running or gone: nothing to remove
            }
        }
        if (ended.get()) {
            return;
        }
        Mounts.unmount(mountpoint);
        try {
            if (!finished.await(UNMOUNT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.log(System.Logger.Level.WARNING, mountpoint + " is still in use: it was detached and goes"
                        + " away when its last open file closes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
