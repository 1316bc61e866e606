package dev.thawfs.cli;

import dev.thawfs.config.PassthroughMode;
import dev.thawfs.fs.engine.MountOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** How a filesystem is mounted: the options every mounting command shares. */
final class MountMixin {
    @Option(names = "--passthrough", paramLabel = "MODE", defaultValue = "auto",
            converter = PassthroughModeConverter.class,
            description = "auto (use it when the kernel offers it), off (the daemon serves every read)"
                    + " or require (fail unless the kernel offers it); default: ${DEFAULT-VALUE}")
    PassthroughMode passthrough;

    @Option(names = "--workers", paramLabel = "N", description = "threads serving requests; default: ${DEFAULT-VALUE}")
    int workers = MountOptions.DEFAULT_WORKERS;

    @Option(names = "--allow-other", description = "let users other than root use the mount")
    boolean allowOther;

    @Option(names = "--stats", paramLabel = "FILE", description = "also write the request statistics to FILE on exit")
    Path statsFile;

    /** The mount options; IllegalArgumentException names a value out of range. */
    MountOptions options(String source, Path backingProbe) {
        if (workers < 1 || workers > 256) {
            throw new IllegalArgumentException("--workers: " + workers + " is not between 1 and 256");
        }
        return new MountOptions(source, passthrough, workers, allowOther, backingProbe, statsFile);
    }
}
