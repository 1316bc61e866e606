package dev.thawfs.cli;

import dev.thawfs.fs.engine.FuseSession;
import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.mirror.MirrorFilesystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code thawfs mirror}: a read-only mirror of a local directory, in the foreground. */
@Command(name = "mirror",
        mixinStandardHelpOptions = true,
        description = {
            "Mounts a read-only mirror of SOURCE_DIR on MOUNTPOINT and serves it until Ctrl-C or SIGTERM.",
            "Files opened through the mirror are read by the kernel straight from the source (FUSE passthrough)"
                    + " when the kernel allows it. A diagnostic for the FUSE engine and a benchmark baseline."},
        footer = {"", "Examples:",
            "  thawfs mirror /usr/share/doc /mnt/doc",
            "  thawfs mirror --passthrough off --stats /tmp/stats.json ./tree /mnt/tree",
            "", "On exit the request statistics are printed as one JSON line on stderr."})
final class MirrorCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SOURCE_DIR", description = "the directory to mirror")
    private Path source;

    @Parameters(index = "1", paramLabel = "MOUNTPOINT", description = "an existing, empty directory")
    private Path mountpoint;

    @Mixin
    private ConfigMixin config;

    @Mixin
    private MountMixin mount;

    @Override
    public Integer call() throws InterruptedException {
        if (!Files.isDirectory(source)) {
            return usageError("source " + source + (Files.exists(source) ? " is not a directory" : " does not exist"));
        }
        Signals.Termination termination = Signals.catchTermination();
        try (FuseSession session = mount.mount(mountpoint, new MirrorFilesystem(source), config.settings(mount),
                "thawfs-mirror:" + source.toAbsolutePath(), Path.of(System.getProperty("java.io.tmpdir")))) {
            termination.stopWith(session::close);
            session.awaitUnmount();
        } catch (MountException e) {
            return usageError(e.getMessage());
        }
        return 0;
    }

    private int usageError(String message) {
        spec.commandLine().getErr().println("thawfs: " + message);
        return Main.EXIT_USAGE;
    }
}
