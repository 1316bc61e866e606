package dev.thawfs.bench;

import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.S3ProxyServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The systems compared, each able to mount (or prepare) the bundle or the repository, cold or warm. */
final class Mounts {
    /** One system under test. */
    interface Subject {
        /** Why this system cannot run {@code workload}, or null. */
        default String unavailable(String workload) {
            return null;
        }

        /** Forgets every cache (the next mount is cold). */
        void reset() throws Exception;

        /** The root of the bundle's tree, or of the repository's. */
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

        /** Requests the daemon served during the last mount, or -1 when not counted. */
        default long daemonRequests() {
            return -1;
        }
    }

    private final Path work;
    private final URI endpoint;
    private final Path thawfs;
    private int mounts;

    Mounts(Path work, URI endpoint, Path thawfs) {
        this.work = work;
        this.endpoint = endpoint;
        this.thawfs = thawfs;
        // Stopped midway (Ctrl-C): leave no mount behind; each daemon ends with its mount.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> entries = Files.list(work)) {
                entries.filter(path -> path.getFileName().toString().startsWith("mnt-")).forEach(Mounts::forceUnmount);
            } catch (IOException e) {
                // the work directory is gone: nothing mounted in it
            }
        }));
    }

    Subject nativeTree(Path tree, Path repo) {
        return new Subject() {
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

    /** What jobs do today: fetch the whole zip (parallel ranged GETs), extract it, then start. */
    Subject downloadAndExtract(S3Settings settings, Path repo) {
        Path directory = work.resolve("download");
        return new Subject() {
            @Override
            public String unavailable(String workload) {
                return switch (workload) {
                    case "startup" -> null;
                    case "repo" -> "a prefix has nothing to extract";
                    default -> "once extracted: native";
                };
            }

            @Override
            public void reset() throws IOException {
                delete(directory);
            }

            @Override
            public Path mount(boolean repository) throws Exception {
                Path tree = directory.resolve("tree");
                if (!Files.exists(tree)) {
                    Files.createDirectories(tree);
                    CompareBench.download(settings, "bundle", "bundle.zip", directory.resolve("bundle.zip"));
                    run(tree, List.of("unzip", "-q", directory.resolve("bundle.zip").toString()));
                }
                return tree;
            }

            @Override
            public void unmount() {
            }
        };
    }

    /** thawfs mount --daemon of {@code source} (the repository: s3://repo/), replaying {@code trace} if given. */
    Subject thawfs(String source, Path trace) {
        Path store = work.resolve("thawfs-store-" + mounts);
        Path mountpoint = work.resolve("mnt-thawfs-" + mounts++);
        Path stats = work.resolve(mountpoint.getFileName() + ".stats.json");
        return new Subject() {
            private long pid;

            @Override
            public String unavailable(String workload) {
                return trace != null && !workload.equals("startup") ? "the trace is for startup" : null;
            }

            @Override
            public void reset() throws IOException {
                delete(store);
            }

            @Override
            public Path mount(boolean repository) throws Exception {
                Files.createDirectories(mountpoint);
                List<String> command = new ArrayList<>(List.of(thawfs.toString(), "mount", "--daemon", "--store",
                        store.toString(), "--stats", stats.toString(), "--s3-endpoint", endpoint.toString()));
                if (trace != null) {
                    command.addAll(List.of("--prefetch", trace.toString()));
                }
                command.addAll(List.of(repository ? "s3://repo/" : source, mountpoint.toString()));
                String said = run(work, command);
                pid = Long.parseLong(said.replaceAll("(?s).*daemon pid (\\d+).*", "$1"));
                return mountpoint;
            }

            @Override
            public void unmount() {
                try {
                    run(work, List.of(thawfs.toString(), "unmount", mountpoint.toString()));
                    ProcessHandle.of(pid).ifPresent(daemon -> daemon.onExit().join());
                } catch (Exception e) {
                    forceUnmount(mountpoint);
                }
            }

            @Override
            public boolean fill() throws Exception {
                run(work, List.of(thawfs.toString(), "prefetch", "--all", "--store", store.toString(), "--s3-endpoint",
                        endpoint.toString(), source));
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
        };
    }

    Subject rclone() {
        Path cache = work.resolve("rclone-cache");
        return external("rclone", cache, false, (mountpoint, repository) -> List.of("rclone", "mount",
                repository ? "bench:repo" : "bench:bundle/tree", mountpoint.toString(), "--read-only",
                "--vfs-cache-mode", "full", "--cache-dir", cache.toString(), "--dir-cache-time", "1h"));
    }

    Subject s3fs() throws IOException {
        Path cache = work.resolve("s3fs-cache");
        Path passwd = work.resolve("s3fs.passwd");
        Files.writeString(passwd, S3ProxyServer.IDENTITY + ":" + S3ProxyServer.CREDENTIAL + "\n");
        Files.setPosixFilePermissions(passwd, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return external("s3fs", cache, false, (mountpoint, repository) -> List.of("s3fs",
                repository ? "repo" : "bundle:/tree", mountpoint.toString(), "-f", "-o", "ro", "-o", "url=" + endpoint,
                "-o", "use_path_request_style", "-o", "passwd_file=" + passwd, "-o", "use_cache=" + cache,
                "-o", "stat_cache_expire=3600"));
    }

    Subject fuseZip(Path zip) {
        return external("fuse-zip", null, true, (mountpoint, repository) -> List.of("fuse-zip", "-f", "-r",
                zip.toString(), mountpoint.toString()));
    }

    private interface Command {
        List<String> of(Path mountpoint, boolean repository);
    }

    /** A FUSE filesystem run in the foreground as a child, stopped with SIGTERM. */
    private Subject external(String tool, Path cache, boolean archiveOnly, Command command) {
        Path mountpoint = work.resolve("mnt-" + tool);
        return new Subject() {
            private Process process;

            @Override
            public String unavailable(String workload) {
                if (!installed(tool)) {
                    return tool + " is not installed";
                }
                return archiveOnly && workload.equals("repo") ? "mounts archives, not prefixes" : null;
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
                ProcessBuilder builder = new ProcessBuilder(command.of(mountpoint, repository))
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(
                                work.resolve(tool + ".log").toFile()));
                environment(builder);
                process = builder.start();
                for (int i = 0; i < 600; i++) {
                    if (Files.readString(Path.of("/proc/mounts")).contains(" " + mountpoint + " ")) {
                        return mountpoint;
                    }
                    if (!process.isAlive()) {
                        break;
                    }
                    Thread.sleep(100);
                }
                throw new IOException(tool + " did not mount; see " + work.resolve(tool + ".log"));
            }

            @Override
            public void unmount() {
                if (process != null) {
                    process.destroy();
                    try {
                        process.waitFor(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    process.destroyForcibly();
                }
                forceUnmount(mountpoint);
            }
        };
    }

    /** The object store's address and credentials for every tool. */
    private void environment(ProcessBuilder builder) {
        var env = builder.environment();
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

    private String run(Path directory, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        environment(builder);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output.strip());
        }
        return output;
    }

    private static boolean installed(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }

    private static void forceUnmount(Path mountpoint) {
        try {
            if (Files.readString(Path.of("/proc/mounts")).contains(" " + mountpoint + " ")) {
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
