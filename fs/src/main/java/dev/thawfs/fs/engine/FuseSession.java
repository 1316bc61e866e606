package dev.thawfs.fs.engine;

import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.FuseDevice;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.kernel.NativeBuffer;
import dev.thawfs.fs.proto.Negotiation;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.fs.proto.PassthroughTier;
import dev.thawfs.fs.proto.Structs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One mounted filesystem: the FUSE_INIT handshake, worker threads that read requests from
 * {@code /dev/fuse} and dispatch them, and an orderly end (on close, on JVM shutdown, or when
 * someone else unmounts it) that reports the request statistics once.
 */
public final class FuseSession implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(FuseSession.class.getName());
    /** The kernel refuses reads into buffers smaller than max_write plus the headers of a WRITE. */
    static final int REQUEST_BUFFER_SIZE = Negotiation.MAX_WRITE + 4096;
    private static final long UNMOUNT_WAIT_SECONDS = 10;

    private final Path mountpoint;
    private final FuseDevice device;
    private final FuseFilesystem filesystem;
    private final MountOptions options;
    private final Negotiation.Agreement agreement;
    private final DeviceConnection connection;
    private final RequestStats stats = new RequestStats();
    private final FuseChannel channel;
    private final AtomicInteger runningWorkers = new AtomicInteger();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread shutdownHook;

    private FuseSession(Path mountpoint, FuseDevice device, FuseFilesystem filesystem, MountOptions options,
            Negotiation.Agreement agreement) {
        this.mountpoint = mountpoint;
        this.device = device;
        this.filesystem = filesystem;
        this.options = options;
        this.agreement = agreement;
        this.connection = new DeviceConnection(device, options.passthrough(), agreement.tier());
        this.channel = new FuseChannel(device::write, filesystem, stats, agreement.tier() == PassthroughTier.A);
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
            FuseSession session = handshake(target, device, filesystem, options);
            session.start();
            return session;
        } catch (MountException | RuntimeException e) {
            Mounts.unmount(target);
            device.close();
            throw e;
        }
    }

    private static FuseSession handshake(Path target, FuseDevice device, FuseFilesystem filesystem,
            MountOptions options) throws MountException {
        NativeBuffer buffer = NativeBuffer.allocate(REQUEST_BUFFER_SIZE);
        int length;
        do {
            length = device.read(buffer);
        } while (length == -Errno.EINTR);
        ByteBuffer in = buffer.buffer();
        if (length < Structs.InHeader.SIZE || in.getInt(Structs.InHeader.OPCODE) != Opcode.INIT) {
            throw new MountException("the kernel did not start with FUSE_INIT ("
                    + (length < 0 ? Errno.describe(-length) : length + " bytes") + ")");
        }
        Negotiation.Agreement agreement;
        try {
            agreement = Negotiation.accept(
                    Negotiation.Offer.decode(in, Structs.InHeader.SIZE, length - Structs.InHeader.SIZE),
                    options.passthrough(), filesystem.supportsReaddirplus());
        } catch (Negotiation.Refused e) {
            throw new MountException(e.getMessage());
        }
        ByteBuffer out = ByteBuffer.allocateDirect(Structs.OutHeader.SIZE + Structs.InitOut.SIZE)
                .order(ByteOrder.nativeOrder());
        Structs.OutHeader.put(out, out.capacity(), 0, in.getLong(Structs.InHeader.UNIQUE));
        agreement.encode(out, Structs.OutHeader.SIZE);
        int written = device.write(out, null);
        if (written < 0) {
            throw new MountException("the kernel refused the FUSE_INIT reply: " + Errno.describe(-written));
        }
        FuseSession session = new FuseSession(target, device, filesystem, options, agreement);
        if (options.backingProbe() != null) {
            session.connection.probe(options.backingProbe());
        }
        return session;
    }

    private void start() {
        LOG.log(System.Logger.Level.INFO, "mounted " + mountpoint + " (FUSE 7." + agreement.minor() + "): "
                + connection.tier().description());
        Mounts.setReadahead(mountpoint, Negotiation.MAX_PAGES * 4);
        filesystem.init(connection);
        runningWorkers.set(options.workers());
        for (int i = 0; i < options.workers(); i++) {
            Thread worker = new Thread(this::serve, "thawfs-fuse-" + i);
            worker.setDaemon(true);
            worker.start();
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    private void serve() {
        NativeBuffer buffer = NativeBuffer.allocate(REQUEST_BUFFER_SIZE);
        Dispatcher dispatcher = new Dispatcher(channel);
        while (true) {
            int length = device.read(buffer);
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
                LOG.log(System.Logger.Level.ERROR, "reading " + FuseDevice.PATH + " failed: "
                        + Errno.describe(errno) + "; worker " + Thread.currentThread().getName() + " stops");
            }
            break;
        }
        if (runningWorkers.decrementAndGet() == 0) {
            end();
        }
    }

    /** Runs once, when the last worker stops: the kernel connection is gone. */
    private void end() {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        Mounts.unmount(mountpoint); // a no-op unless the workers died of something else
        try {
            filesystem.destroy();
        } finally {
            device.close();
            reportStats();
            finished.countDown();
        }
    }

    private void reportStats() {
        String json = "{\"mountpoint\":" + RequestStats.quote(mountpoint.toString()) + ",\"tier\":\""
                + connection.tier().name() + "\"," + stats.toJson().substring(1);
        System.err.println(json);
        if (options.statsFile() != null) {
            try {
                Files.writeString(options.statsFile(), json + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "could not write statistics to " + options.statsFile() + ": " + e);
            }
        }
    }

    public Path mountpoint() {
        return mountpoint;
    }

    public PassthroughTier tier() {
        return connection.tier();
    }

    public RequestStats stats() {
        return stats;
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
