package dev.thawfs.bench;

import dev.thawfs.config.S3Settings;
import dev.thawfs.testkit.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The systems compared, each able to mount (or prepare) the bundle or the repository, cold or warm. */
final class Mounts {
    /** One system under test. */
    interface Subject {
        /** Its name in the table. */
        String name();

        /** How it is run, for the docs: its command line with WORK for the work directory. */
        String setup();

        /** Why this system cannot run {@code workload} (shown as n/a), or null. */
        default String unavailable(Workload workload) {
            return null;
        }

        /** Forgets every cache (the next mount is cold). */
        void reset() throws Exception;

        /** Mounts (or downloads, prefetches: whatever comes before the job) and returns the root of the tree. */
        Path mount(boolean repository) throws Exception;

        /** Unmounts; never throws. */
        void unmount();

        /**
         * Brings everything local after a cold run was stopped, so the warm run measures warm
         * reads; false when the system has no way to but running the workload itself.
         */
        default boolean fill() throws Exception {
            return false;
        }

        /** FUSE requests its daemon served during the last mount, or -1 when not counted. */
        default long daemonRequests() {
            return -1;
        }
    }

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);

    private final Path work;
    private final URI endpoint;
    private final Path thawfs;
    private int mounts;

    Mounts(Path work, URI endpoint, Path thawfs) {
        this.work = work;
        this.endpoint = endpoint;
        this.thawfs = thawfs;
        // Stopped midway (Ctrl-C, a timeout): leave no mount behind; each daemon ends with its mount.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> entries = Files.list(work)) {
                entries.filter(path -> path.getFileName().toString().startsWith("mnt-")).forEach(Mounts::unmount);
            } catch (IOException e) {
                // the work directory is gone: nothing mounted in it
            }
        }));
    }

    /** The extracted tree and the repository on local disk. */
    Subject nativeTree(Path tree, Path repo) {
        return new Subject() {
            @Override
            public String name() {
                return Results.NATIVE;
            }

            @Override
            public String setup() {
                return "the extracted tree and the repository on local disk";
            }

            @Override
            public void reset() {
            }

            @Override
            public Path mount(boolean repository) {
                return repository ? repo : tree;
            }

            @Override
            public void unmount() {
            }
        };
    }

    /** What jobs do today: fetch the whole archive (parallel ranged GETs), extract it, then start. */
    Subject downloadAndExtract(S3Settings settings, String bucket, String key) {
        Path directory = work.resolve("download-" + key);
        return new Subject() {
            @Override
            public String name() {
                return Results.DOWNLOAD + format(key);
            }

            @Override
            public String setup() {
                return "s3://" + bucket + "/" + key + " downloaded with parallel ranged GETs (8 MiB parts, 8 in"
                        + " flight), then `" + String.join(" ", Download.extractor(key)) + " " + key + "`";
            }

            @Override
            public String unavailable(Workload workload) {
                return workload == Workload.REPO ? "a prefix has nothing to extract" : null;
            }

            @Override
            public void reset() throws IOException {
                delete(directory);
            }

            @Override
            public Path mount(boolean repository) throws Exception {
                Path tree = directory.resolve("tree");
                if (!Files.exists(tree)) {
                    Files.createDirectories(directory);
                    Path archive = directory.resolve(key);
                    Download.object(settings, bucket, key, archive);
                    Download.extract(archive, tree);
                    Files.delete(archive);
                }
                return tree;
            }

            @Override
            public void unmount() {
            }
        };
    }

    /** How a thawfs system uses the startup trace. */
    enum TraceUse {
        /** Not at all. */
        NONE(""),
        /** {@code thawfs prefetch --trace} into the empty store, then the mount. */
        PREFETCH_THEN_MOUNT(", prefetch --trace, then mount"),
        /** {@code thawfs mount --prefetch}: the trace's files fetched in order from the mount on. */
        MOUNT_PREFETCHING(", mount --prefetch");

        final String label;

        TraceUse(String label) {
            this.label = label;
        }
    }

    /** thawfs mount --daemon of {@code source} (the repository: s3://repo/), with {@code trace} as {@code use} says. */
    Subject thawfs(String source, Path trace, TraceUse use) {
        Path store = work.resolve("thawfs-store-" + mounts);
        Path mountpoint = work.resolve("mnt-thawfs-" + mounts++);
        Path stats = work.resolve(mountpoint.getFileName() + ".stats.json");
        return new Subject() {
            private long pid;
            private boolean empty;

            @Override
            public String name() {
                return Results.THAWFS + format(source) + use.label;
            }

            @Override
            public String setup() {
                String mount = "`bin/thawfs mount --daemon --store STORE --stats STATS --s3-endpoint ENDPOINT"
                        + (use == TraceUse.MOUNT_PREFETCHING ? " --prefetch startup.trace " : " ") + source
                        + " MOUNTPOINT`";
                return switch (use) {
                    case NONE -> mount + " (the repository: s3://repo/)";
                    case PREFETCH_THEN_MOUNT -> "`bin/thawfs prefetch --store STORE --s3-endpoint ENDPOINT --trace"
                            + " startup.trace " + source + "`, then " + mount;
                    case MOUNT_PREFETCHING -> mount;
                };
            }

            @Override
            public void reset() throws IOException {
                delete(store);
                empty = true;
            }

            @Override
            public Path mount(boolean repository) throws Exception {
                pid = 0;
                String what = repository ? "s3://repo/" : source;
                if (use == TraceUse.PREFETCH_THEN_MOUNT && empty) {
                    thawfs("prefetch", "--trace", trace.toString(), what);
                }
                empty = false;
                Files.deleteIfExists(stats);
                Files.createDirectories(mountpoint);
                List<String> mount = new ArrayList<>(List.of("mount", "--daemon", "--stats", stats.toString()));
                if (use == TraceUse.MOUNT_PREFETCHING) {
                    mount.addAll(List.of("--prefetch", trace.toString()));
                }
                mount.addAll(List.of(what, mountpoint.toString()));
                String said = thawfs(mount.toArray(String[]::new));
                pid = Long.parseLong(said.replaceAll("(?s).*daemon pid (\\d+).*", "$1"));
                return mountpoint;
            }

            @Override
            public void unmount() {
                Mounts.unmount(mountpoint);
                ProcessHandle.of(pid).ifPresent(daemon -> {
                    try {
                        daemon.onExit().get(60, TimeUnit.SECONDS); // it writes --stats as it exits
                    } catch (Exception e) {
                        daemon.destroyForcibly();
                    }
                });
            }

            @Override
            public boolean fill() throws Exception {
                thawfs("prefetch", "--all", source);
                return true;
            }

            @Override
            public long daemonRequests() {
                try {
                    return Long.parseLong(Files.readString(stats).replaceAll("(?s).*\"total\":(\\d+).*", "$1"));
                } catch (IOException | NumberFormatException e) {
                    return -1;
                }
            }

            /** Runs a thawfs command on this system's store; returns what it printed. */
            private String thawfs(String... arguments) throws Exception {
                List<String> command = new ArrayList<>(List.of(thawfs.toString(), arguments[0], "--store",
                        store.toString(), "--s3-endpoint", endpoint.toString()));
                command.addAll(List.of(arguments).subList(1, arguments.length));
                return run(command);
            }
        };
    }

    /** rclone mount of the extracted tree's prefix (or the repository) with its full VFS cache on disk. */
    Subject rclone() {
        Path cache = work.resolve("rclone-cache");
        return external(Results.RCLONE, "rclone", cache, false, (mountpoint, repository) -> List.of(
                "rclone", "mount", repository ? "bench:repo" : "bench:bundle/tree", mountpoint.toString(), "--read-only",
                "--vfs-cache-mode", "full", "--cache-dir", cache.toString(), "--dir-cache-time", "1h",
                "--use-server-modtime"));
    }

    /** s3fs of the extracted tree's prefix (or the repository), caching files on local disk. */
    Subject s3fs() throws IOException {
        Path cache = work.resolve("s3fs-cache");
        Path passwd = work.resolve("s3fs.passwd");
        Files.writeString(passwd, S3ProxyServer.IDENTITY + ":" + S3ProxyServer.CREDENTIAL + "\n");
        Files.setPosixFilePermissions(passwd, PosixFilePermissions.fromString("rw-------"));
        return external("s3fs", "s3fs", cache, false, (mountpoint, repository) -> List.of("s3fs",
                repository ? "repo" : "bundle:/tree", mountpoint.toString(), "-f", "-o", "ro", "-o", "url=" + endpoint,
                "-o", "use_path_request_style", "-o", "passwd_file=" + passwd, "-o", "use_cache=" + cache,
                "-o", "stat_cache_expire=3600"));
    }

    /** fuse-zip of a local copy of the zip (nothing fetched: what a local archive mount costs). */
    Subject fuseZip(Path zip) {
        return external("fuse-zip (local zip)", "fuse-zip", null, true, (mountpoint, repository) -> List.of(
                "fuse-zip", "-f", "-r", zip.toString(), mountpoint.toString()));
    }

    private interface Command {
        List<String> of(Path mountpoint, boolean repository);
    }

    /** A FUSE filesystem run in the foreground as a child, stopped by unmounting it. */
    private Subject external(String name, String tool, Path cache, boolean archiveOnly, Command command) {
        Path mountpoint = work.resolve("mnt-" + tool);
        return new Subject() {
            private Process process;

            @Override
            public String name() {
                return name;
            }

            @Override
            public String setup() {
                return "`" + String.join(" ", command.of(Path.of("MOUNTPOINT"), false)).replace(work + "/", "")
                        .replace(endpoint.toString(), "ENDPOINT") + "` (" + tool + " " + version(tool) + ")";
            }

            @Override
            public String unavailable(Workload workload) {
                if (!installed(tool)) {
                    return tool + " is not installed";
                }
                return archiveOnly && workload == Workload.REPO ? "mounts archives, not prefixes" : null;
            }

            @Override
            public void reset() throws IOException {
                if (cache != null) {
                    delete(cache);
                }
            }

            @Override
            public Path mount(boolean repository) throws Exception {
                Files.createDirectories(mountpoint);
                Path log = work.resolve(tool + ".log");
                ProcessBuilder builder = new ProcessBuilder(command.of(mountpoint, repository))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                environment(builder.environment());
                process = builder.start();
                for (int i = 0; i < 12_000; i++) { // every 5 ms: bench/run mount-latency times this
                    if (mounted(mountpoint)) {
                        return mountpoint;
                    }
                    if (!process.isAlive()) {
                        break;
                    }
                    Thread.sleep(5);
                }
                throw new IOException(tool + " did not mount (see " + log.getFileName() + ")");
            }

            @Override
            public void unmount() {
                Mounts.unmount(mountpoint);
                if (process != null) {
                    try {
                        if (!process.waitFor(30, TimeUnit.SECONDS)) {
                            process.destroyForcibly().waitFor();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
    }

    /** How a name shows the archive format: nothing for zip, the rows' default. */
    private static String format(String archive) {
        return archive.endsWith(".zip") ? "" : " (" + archive.substring(archive.indexOf('.') + 1) + ")";
    }

    /** The object store's address and credentials, for thawfs and every other tool. */
    private void environment(Map<String, String> env) {
        env.remove("AWS_CA_BUNDLE"); // a machine-wide bundle for TLS; plain HTTP here, and rclone fails on it
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.IDENTITY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIAL);
        env.put("AWS_EC2_METADATA_DISABLED", "true");
        env.put("RCLONE_CONFIG", "/dev/null");
        env.put("RCLONE_CONFIG_BENCH_TYPE", "s3");
        env.put("RCLONE_CONFIG_BENCH_PROVIDER", "Other");
        env.put("RCLONE_CONFIG_BENCH_ENDPOINT", endpoint.toString());
        env.put("RCLONE_CONFIG_BENCH_ACCESS_KEY_ID", S3ProxyServer.IDENTITY);
        env.put("RCLONE_CONFIG_BENCH_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIAL);
    }

    /** Runs a command to its end (at most 10 minutes) in the work directory; returns its output. */
    private String run(List<String> command) throws IOException, InterruptedException {
        return Commands.run(command, work, this::environment, COMMAND_TIMEOUT);
    }

    /** The version of the Debian package {@code tool} came in. */
    private String version(String tool) {
        try {
            return run(List.of("dpkg-query", "-W", "-f=${Version}", tool)).strip();
        } catch (IOException | InterruptedException e) {
            return "(version unknown)";
        }
    }

    private static boolean installed(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    static boolean mounted(Path mountpoint) {
        return dev.thawfs.fs.kernel.Mounts.find(mountpoint).isPresent(); // this class's name is taken
    }

    /** umount(8) of a FUSE mount, lazily if it is busy; the daemon serving it then exits. */
    private static void unmount(Path mountpoint) {
        try {
            if (mounted(mountpoint) && new ProcessBuilder("umount", mountpoint.toString()).start().waitFor() != 0) {
                new ProcessBuilder("umount", "-l", mountpoint.toString()).start().waitFor();
            }
        } catch (IOException | InterruptedException e) {
            // nothing mounted, or nothing more to do
        }
    }

    private static void delete(Path directory) throws IOException {
        if (Files.exists(directory)) {
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(path);
                }
            }
        }
    }
}
