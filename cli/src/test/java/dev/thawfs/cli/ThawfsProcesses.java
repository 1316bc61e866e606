package dev.thawfs.cli;

import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.Mounts;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.thaw.ThawFilesystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code thawfs} commands run as their own processes, as users run them: each one's stdout and
 * stderr in {@code stdout-N}/{@code stderr-N} of a work directory, and all of them stopped by
 * {@link #close()} (SIGTERM, so a daemon unmounts; SIGKILL after 30 s).
 */
final class ThawfsProcesses implements AutoCloseable {
    private final Path work;
    private final List<Process> started = new ArrayList<>();

    ThawfsProcesses(Path work) {
        this.work = work;
    }

    /** Starts {@code thawfs ARGS...}, credentials for {@link S3ProxyServer} in its environment. */
    Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "--enable-native-access=ALL-UNNAMED",
                // a killed daemon cannot delete the RocksDB library it unpacked: keep it in the test's directory
                "-Djava.io.tmpdir=" + work, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        return start(command);
    }

    /**
     * Starts {@code bin/thawfs ARGS...}, the launcher as users run it (needed for {@code mount
     * --daemon}), on the test's classes and JDK.
     */
    Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of("../bin/thawfs").toAbsolutePath().normalize().toString()));
        command.addAll(List.of(args));
        return start(command);
    }

    private Process start(List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()) // where a crash leaves hs_err_pid*.log
                .redirectError(work.resolve("stderr-" + started.size()).toFile())
                .redirectOutput(work.resolve("stdout-" + started.size()).toFile());
        builder.environment().put("LC_ALL", "C.UTF-8");
        builder.environment().put("AWS_ACCESS_KEY_ID", S3ProxyServer.IDENTITY);
        builder.environment().put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.CREDENTIAL);
        builder.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        builder.environment().put("THAWFS_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        started.add(process);
        return process;
    }

    /**
     * Starts {@code thawfs mount ARGS... MOUNTPOINT} in the foreground and returns once the mount
     * answers (its status attribute reads), or fails with the daemon's messages.
     */
    Process mount(Path mountpoint, List<String> args) throws IOException {
        List<String> all = new ArrayList<>(List.of("mount"));
        all.addAll(args);
        all.add(mountpoint.toString());
        Process daemon = start(all.toArray(String[]::new));
        for (int i = 0; i < 12_000 && daemon.isAlive(); i++) {
            if (answers(mountpoint)) {
                return daemon;
            }
            LockSupport.parkNanos(10_000_000);
        }
        throw new AssertionError("thawfs mount did not come up (" + (daemon.isAlive() ? "alive" : "exit "
                + daemon.exitValue()) + "): " + stderr(daemon));
    }

    /** Whether a thawfs mount serves {@code mountpoint} (a dead one or a plain directory does not). */
    static boolean answers(Path mountpoint) {
        try {
            NativeFiles.getxattr(mountpoint, ThawFilesystem.STATUS_XATTR);
            return !Mounts.isStale(mountpoint);
        } catch (ErrnoException e) {
            return false;
        }
    }

    /**
     * SIGTERM, then the exit code (a daemon unmounts and exits 0); -1 when it did not stop within
     * 60 s: its threads are then printed (jcmd Thread.print) to stdout and it is killed.
     */
    int stop(Process process) throws InterruptedException, IOException {
        process.destroy();
        if (process.waitFor(60, TimeUnit.SECONDS)) {
            return process.exitValue();
        }
        System.out.println("thawfs pid " + process.pid() + " did not stop within 60 s of SIGTERM; its threads:\n"
                + threads(process.pid()) + crashReport(process));
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        return -1;
    }

    /** What each thread of a process waits for: the kernel's view (state, wchan, stack), then jcmd's. */
    static String threads(long pid) throws IOException, InterruptedException {
        StringBuilder out = new StringBuilder();
        Path proc = Path.of("/proc", Long.toString(pid));
        try (var tasks = Files.list(proc.resolve("task"))) {
            for (Path task : (Iterable<Path>) tasks.sorted()::iterator) {
                String status = read(task.resolve("status"));
                String state = status.replaceAll("(?s).*\\nState:\\s*([^\\n]*).*", "$1");
                if (state.startsWith("S") && read(task.resolve("stack")).contains("futex")) {
                    continue; // parked Java threads: jcmd shows them
                }
                out.append("task ").append(task.getFileName()).append(' ').append(read(task.resolve("comm")).trim())
                        .append(" state ").append(state).append(" wchan ").append(read(task.resolve("wchan")))
                        .append('\n').append(read(task.resolve("stack")));
            }
        } catch (IOException e) {
            out.append("no /proc view: ").append(e).append('\n');
        }
        Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(pid), "Thread.print").redirectErrorStream(true).start();
        out.append(new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        jcmd.waitFor(30, TimeUnit.SECONDS);
        return out.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /** The head of the JVM's fatal error log if the process crashed (hs_err_pidN.log), else "". */
    String crashReport(Process process) {
        Path log = work.resolve("hs_err_pid" + process.pid() + ".log");
        if (!Files.exists(log)) {
            return "";
        }
        String text = read(log);
        int frames = text.indexOf("Java frames:");
        return "thawfs pid " + process.pid() + " crashed, " + log + ":\n" + text.substring(0, Math.min(text.length(), 900))
                + (frames < 0 ? "" : "\n" + text.substring(frames, Math.min(text.length(), frames + 1500)));
    }

    /** The last {@code chars} characters of a process's stderr. */
    String stderrTail(Process process, int chars) throws IOException {
        String all = stderr(process);
        return all.length() <= chars ? all : "..." + all.substring(all.length() - chars);
    }

    String stderr(int index) throws IOException {
        return Files.readString(work.resolve("stderr-" + index), StandardCharsets.UTF_8);
    }

    String stderr(Process process) throws IOException {
        return stderr(started.indexOf(process));
    }

    String stdout(Process process) throws IOException {
        return Files.readString(work.resolve("stdout-" + started.indexOf(process)), StandardCharsets.UTF_8);
    }

    int index(Process process) {
        return started.indexOf(process);
    }

    @Override
    public void close() throws InterruptedException {
        for (Process process : started) {
            process.destroy(); // SIGTERM: the daemon unmounts
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }
}
