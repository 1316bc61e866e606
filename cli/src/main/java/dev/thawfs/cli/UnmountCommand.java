package dev.thawfs.cli;

import dev.thawfs.fs.kernel.MountException;
import dev.thawfs.fs.kernel.Mounts;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code thawfs unmount}: unmount a thawfs mount, also one left stale by a daemon that died. */
@Command(name = "unmount", aliases = "umount", mixinStandardHelpOptions = true,
        description = {"Unmounts MOUNTPOINT; the daemon serving it exits once its last mount goes. A mount whose daemon died (every"
                + " access fails with 'Transport endpoint is not connected') is cleaned too. A busy mount is"
                + " detached and goes once its last open file closes."},
        footer = {"", "Example:", "  thawfs unmount /mnt/job"})
final class UnmountCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "MOUNTPOINT")
    private Path mountpoint;

    @Override
    public Integer call() {
        try {
            Mounts.checkPrivileges();
        } catch (MountException e) {
            spec.commandLine().getErr().println("thawfs: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
        var mount = Mounts.find(mountpoint);
        if (mount.isEmpty() || !mount.get().isFuse()) {
            spec.commandLine().getErr().println("thawfs: nothing thawfs mounted on " + mountpoint.toAbsolutePath()
                    + (mount.isPresent() ? " (a " + mount.get().type() + " mount is there; use umount)" : ""));
            return Main.EXIT_USAGE;
        }
        boolean stale = Mounts.isStale(mountpoint);
        if (!Mounts.unmount(mount.get().mountpoint())) {
            spec.commandLine().getErr().println("thawfs: could not unmount " + mountpoint);
            return Main.EXIT_FAILED;
        }
        spec.commandLine().getOut().println("thawfs: unmounted " + mount.get().mountpoint()
                + (stale ? " (its daemon had died)" : ""));
        return 0;
    }
}
