package dev.thawfs.fs.kernel;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** mount(2) and umount2(2) of FUSE filesystems, and the checks that come before a mount. */
public final class Mounts {
    private static final System.Logger LOG = System.getLogger(Mounts.class.getName());
    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");
    private static final Path PROCESS_STATUS = Path.of("/proc/self/status");
    private static final int CAP_SYS_ADMIN = 21;

    /** One line of /proc/self/mountinfo that matters here. */
    public record MountEntry(Path mountpoint, String device, String type, String source) {
        public boolean isFuse() {
            return type.equals("fuse") || type.startsWith("fuse.");
        }
    }

    private Mounts() {
    }

    /**
     * Checks everything a mount needs before touching the kernel: root, /dev/fuse, and an
     * existing, empty directory that nothing is mounted on. A FUSE mount left behind by a daemon
     * that died ("Transport endpoint is not connected") is detached and the mount goes ahead.
     */
    public static Path prepareMountpoint(Path mountpoint) throws MountException {
        Path target = checkMountpoint(mountpoint);
        if (find(target).isPresent()) {
            unmount(target);
            LOG.log(System.Logger.Level.WARNING, "cleaned a stale FUSE mount on " + target
                    + " left by a daemon that died");
            checkEmptyDirectory(target);
        }
        return target;
    }

    /**
     * What {@link #prepareMountpoint} checks, changing nothing: it passes a stale FUSE mount,
     * which prepareMountpoint cleans.
     *
     * @return the absolute mount point
     */
    public static Path checkMountpoint(Path mountpoint) throws MountException {
        checkPrivileges();
        Path target = absolute(mountpoint);
        Optional<MountEntry> existing = find(target);
        if (existing.isEmpty()) {
            checkEmptyDirectory(target);
        } else if (!existing.get().isFuse() || !isStale(target)) {
            throw new MountException(target + " is already a mount point (" + existing.get().type() + " from "
                    + existing.get().source() + "): unmount it first (umount " + target + ") or choose another directory");
        }
        return target;
    }

    /** mount(2) and umount2(2) need CAP_SYS_ADMIN, which root has. */
    public static void checkPrivileges() throws MountException {
        if (!hasSysAdmin()) {
            throw new MountException("thawfs must run as root: mount(2) and passthrough backing files need"
                    + " CAP_SYS_ADMIN (run it with sudo)");
        }
    }

    /** Whether CAP_SYS_ADMIN is in this process's effective capabilities (root without it cannot mount). */
    private static boolean hasSysAdmin() {
        try (Stream<String> status = Files.lines(PROCESS_STATUS)) {
            return status.filter(line -> line.startsWith("CapEff:")).findFirst()
                    .map(line -> (Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16)
                            & 1L << CAP_SYS_ADMIN) != 0)
                    .orElse(false);
        } catch (IOException noProc) {
            return Libc.INSTANCE.geteuid() == 0;
        }
    }

    private static void checkEmptyDirectory(Path target) throws MountException {
        if (!Files.exists(target)) {
            throw new MountException("mount point " + target + " does not exist: create it (mkdir -p " + target + ")");
        }
        if (!Files.isDirectory(target)) {
            throw new MountException("mount point " + target + " is not a directory");
        }
        try (DirectoryStream<Path> children = Files.newDirectoryStream(target)) {
            if (children.iterator().hasNext()) {
                throw new MountException("mount point " + target + " is not empty: thawfs mounts only on an empty"
                        + " directory, so nothing in it gets hidden");
            }
        } catch (IOException e) {
            throw new MountException("cannot read mount point " + target + ": " + e.getMessage());
        }
    }

    /** Mounts a read-only FUSE filesystem served through {@code device} on {@code target}. */
    public static void mount(Path target, FuseDevice device, String source, boolean allowOther) throws MountException {
        String options = "fd=" + device.fd() + ",rootmode=40000,user_id=" + Libc.INSTANCE.geteuid()
                + ",group_id=" + Libc.INSTANCE.getegid() + ",default_permissions" + (allowOther ? ",allow_other" : "");
        long flags = Libc.MS_RDONLY | Libc.MS_NOSUID | Libc.MS_NODEV;
        byte[] path = NativePath.of(target);
        byte[] data = NativePath.of(options);
        int result = Libc.INSTANCE.mount(NativePath.of(source), path, NativePath.of("fuse.thawfs"), flags, data);
        if (result < 0 && Libc.errno() == Errno.ENODEV) {
            // kernels without subtype support know only "fuse"
            result = Libc.INSTANCE.mount(NativePath.of(source), path, NativePath.of("fuse"), flags, data);
        }
        if (result < 0) {
            int errno = Libc.errno();
            throw new MountException("mount(2) of " + target + " failed: " + Errno.describe(errno)
                    + (errno == Errno.EPERM ? ": thawfs must run as root" : ""));
        }
    }

    /**
     * Unmounts {@code target}; a busy mount is detached lazily (it goes once the last user leaves).
     *
     * @return true if something was mounted there
     */
    public static boolean unmount(Path target) {
        byte[] path = NativePath.of(target);
        if (Libc.INSTANCE.umount2(path, 0) == 0) {
            return true;
        }
        int errno = Libc.errno();
        if (errno == Errno.EINVAL || errno == Errno.ENOENT) {
            return false;
        }
        if (Libc.INSTANCE.umount2(path, Libc.MNT_DETACH) == 0) {
            if (errno == Errno.EBUSY) {
                LOG.log(System.Logger.Level.WARNING, target + " was busy: detached, it goes once the last open file closes");
            }
            return true;
        }
        LOG.log(System.Logger.Level.WARNING, "unmount of " + target + " failed: " + Errno.describe(Libc.errno()));
        return false;
    }

    /** The mount on exactly {@code target}, if any (the last one when mounts are stacked). */
    public static Optional<MountEntry> find(Path target) {
        Path wanted = absolute(target);
        MountEntry found = null;
        for (MountEntry entry : all()) {
            if (entry.mountpoint().equals(wanted)) {
                found = entry;
            }
        }
        return Optional.ofNullable(found);
    }

    /** This process's mounts, from /proc/self/mountinfo, in mount order; none when it cannot be read. */
    public static List<MountEntry> all() {
        List<String> lines;
        try {
            lines = Files.readAllLines(MOUNTINFO);
        } catch (IOException e) {
            return List.of();
        }
        List<MountEntry> entries = new ArrayList<>();
        for (String line : lines) {
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length > 4 && separator > 0 && separator + 2 < fields.length) {
                entries.add(new MountEntry(Path.of(unescape(fields[4])), fields[2], fields[separator + 1],
                        unescape(fields[separator + 2])));
            }
        }
        return entries;
    }

    /**
     * Sets the readahead of the mount's backing device info. FUSE starts every mount at 128 KiB,
     * so buffered reads the daemon serves arrive in 128-256 KiB requests; a window of max_pages
     * lets them arrive as the 1 MiB requests INIT allowed. Best effort: it needs root and sysfs.
     */
    public static void setReadahead(Path target, int kib) {
        find(target).ifPresent(entry -> {
            Path setting = Path.of("/sys/class/bdi", entry.device(), "read_ahead_kb");
            try {
                Files.writeString(setting, Integer.toString(kib));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "could not raise readahead through " + setting + ": " + e);
            }
        });
    }

    /**
     * A FUSE mount whose daemon is gone answers with ENOTCONN. A request caught while the
     * connection is being aborted ends with ECONNABORTED (fuse_dev_end_requests), and over
     * io_uring one that reached a dying ring queue with ECANCELED: both also mean the daemon is
     * gone. statfs asks the daemon every time, where a stat may be answered from attributes the
     * kernel still caches.
     */
    public static boolean isStale(Path target) {
        try {
            NativeFiles.statfs(target);
            return false;
        } catch (ErrnoException e) {
            return e.errno() == Errno.ENOTCONN || e.errno() == Errno.ECONNABORTED || e.errno() == Errno.ECANCELED;
        }
    }

    /** The absolute path with its parent resolved (the target itself may be a dead mount). */
    static Path absolute(Path path) {
        Path absolute = path.toAbsolutePath().normalize();
        Path parent = absolute.getParent();
        if (parent == null) {
            return absolute;
        }
        try {
            return parent.toRealPath().resolve(absolute.getFileName());
        } catch (IOException e) {
            return absolute;
        }
    }

    /** mountinfo escapes space, tab, newline and backslash as \ooo. */
    private static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length()) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
