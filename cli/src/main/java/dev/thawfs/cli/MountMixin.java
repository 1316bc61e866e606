package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Settings;
import dev.thawfs.fs.engine.MountOptions;
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

    @Option(names = "--workers", paramLabel = "N",
            description = "threads serving requests; default: ${sys:thawfs.default.mount.workers} (mount.workers)")
    Integer workers;

    @Option(names = "--allow-other", description = "let users other than root use the mount (mount.allow-other)")
    Boolean allowOther;

    @Option(names = "--stats", paramLabel = "FILE", description = "also write the request statistics to FILE on exit")
    Path statsFile;

    @Override
    public Settings applyTo(Settings settings) {
        Settings mode = override(settings, Settings.MOUNT_PASSTHROUGH, passthrough, "--passthrough");
        return override(override(mode, Settings.MOUNT_WORKERS, workers, "--workers"), Settings.MOUNT_ALLOW_OTHER,
                allowOther, "--allow-other");
    }

    MountOptions options(Settings settings, String source, Path backingProbe) {
        return new MountOptions(source, settings.get(Settings.MOUNT_PASSTHROUGH), settings.get(Settings.MOUNT_WORKERS),
                settings.get(Settings.MOUNT_ALLOW_OTHER), backingProbe, statsFile);
    }
}
