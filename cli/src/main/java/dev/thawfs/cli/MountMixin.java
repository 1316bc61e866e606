package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.PassthroughMode;
import dev.thawfs.config.Settings;
import dev.thawfs.fs.engine.FuseFilesystem;
import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.engine.MountOptions;
import dev.thawfs.fs.engine.RequestStats;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.proto.PassthroughPolicy;
import dev.thawfs.fs.proto.TransportPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a filesystem is mounted: the options every mounting command shares. */
final class MountMixin implements ConfigMixin.Flags {
    @Option(names = "--passthrough", paramLabel = "MODE",
            description = "auto (use it when the kernel offers it), off (the daemon serves every read),"
                    + " require (fail unless the kernel offers it) or inode (experimental: inode passthrough on a"
                    + " kernel with the FUSE_PASSTHROUGH_INO series); default: ${sys:thawfs.default.mount.passthrough}"
                    + " (mount.passthrough)")
    String passthrough;

    @Option(names = "--transport", paramLabel = "MODE",
            description = "auto (FUSE over io_uring when the kernel offers it), dev (/dev/fuse only) or uring (fail"
                    + " without io_uring); default: ${sys:thawfs.default.mount.transport} (mount.transport)")
    String transport;

    @Option(names = "--workers", paramLabel = "N",
            description = "threads serving requests; default: ${sys:thawfs.default.mount.workers} (mount.workers)")
    Integer workers;

    @Option(names = "--allow-other", description = "let users other than root use the mount (mount.allow-other)")
    Boolean allowOther;

    @Option(names = "--stats", paramLabel = "FILE", description = "also write the request statistics to FILE on exit")
    Path statsFile;

    @Override
    public Settings applyTo(Settings settings) {
        Settings mode = override(override(settings, Settings.MOUNT_PASSTHROUGH, passthrough, "--passthrough"),
                Settings.MOUNT_TRANSPORT, transport, "--transport");
        return override(override(mode, Settings.MOUNT_WORKERS, workers, "--workers"), Settings.MOUNT_ALLOW_OTHER,
                allowOther, "--allow-other");
    }

    /**
     * Mounts {@code filesystem}, shown as {@code source}; at unmount its request statistics go to
     * stderr as one JSON line, and to {@code --stats FILE}.
     */
    FuseSession mount(Path mountpoint, FuseFilesystem filesystem, Settings settings, String source, Path backingProbe)
            throws MountException {
        FuseSession session = FuseSession.mount(mountpoint, filesystem, new MountOptions(source,
                policy(settings.get(Settings.MOUNT_PASSTHROUGH)),
                settings.get(Settings.MOUNT_WORKERS), settings.get(Settings.MOUNT_ALLOW_OTHER), backingProbe,
                TransportPolicy.valueOf(settings.get(Settings.MOUNT_TRANSPORT).name())));
        session.unmounted().thenAccept(stats -> reportStats(session, stats));
        return session;
    }

    /** The engine's name for each mode: the same names. */
    static PassthroughPolicy policy(PassthroughMode mode) {
        return PassthroughPolicy.valueOf(mode.name());
    }

    private void reportStats(FuseSession session, RequestStats stats) {
        String json = "{\"mountpoint\":" + Json.quote(session.mountpoint().toString()) + ",\"tier\":\""
                + session.tier().name() + "\",\"transport\":\"" + session.transport() + "\","
                + stats.toJson().substring(1);
        System.err.println(json);
        if (statsFile != null) {
            try {
                Files.writeString(statsFile, json + "\n", StandardCharsets.UTF_8);
            } catch (IOException e) {
                System.err.println("thawfs: could not write statistics to " + statsFile + ": " + e);
            }
        }
    }
}
