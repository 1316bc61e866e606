package dev.thawfs.fs.engine;

import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.proto.TransportPolicy;
import java.nio.file.Path;

/**
 * How to mount.
 *
 * @param source what {@code mount} shows as the device, e.g. {@code thawfs:/srv/artifacts}
 * @param workers threads reading requests; slow requests are answered later, so a few suffice
 * @param backingProbe a directory on the filesystem that holds backing files: a passthrough probe
 *     runs there at mount time, so {@code require} fails at once and {@code auto} downgrades at
 *     once (null: no probe, the first refused open decides)
 * @param transport {@code /dev/fuse}, or FUSE over io_uring where the kernel offers it
 */
public record MountOptions(
        String source,
        PassthroughPolicy passthrough,
        int workers,
        boolean allowOther,
        Path backingProbe,
        TransportPolicy transport) {

    public static final int DEFAULT_WORKERS = Math.max(4, Runtime.getRuntime().availableProcessors());

    public MountOptions {
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("workers: " + workers + " is not between 1 and 256");
        }
    }

    public static MountOptions defaults(String source) {
        return new MountOptions(source, PassthroughPolicy.AUTO, DEFAULT_WORKERS, false, null, TransportPolicy.AUTO);
    }

    public MountOptions withPassthrough(PassthroughPolicy policy) {
        return new MountOptions(source, policy, workers, allowOther, backingProbe, transport);
    }

    public MountOptions withBackingProbe(Path directory) {
        return new MountOptions(source, passthrough, workers, allowOther, directory, transport);
    }

    public MountOptions withTransport(TransportPolicy policy) {
        return new MountOptions(source, passthrough, workers, allowOther, backingProbe, policy);
    }
}
