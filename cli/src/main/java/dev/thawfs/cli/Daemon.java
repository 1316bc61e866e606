package dev.thawfs.cli;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code thawfs mount --daemon}: the same command runs again as a child in a session of its own,
 * its output going to a log file; this process waits until the child says the mount answers (or
 * the child dies, when its log is shown) and exits with that outcome.
 */
final class Daemon {
    /** The hidden flag that {@code --daemon} becomes in the child. */
    static final String CHILD_FLAG = "--daemon-child";
    private static final String READY = "thawfs: ready";

    private Daemon() {
    }

    /** Starts the child and waits for it; the exit code of this command. */
    static int start(List<String> arguments, Path log, PrintWriter out, PrintWriter err) throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        long logStart = Files.exists(log) ? Files.size(log) : 0;
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        arguments.forEach(argument -> command.add(argument.equals("--daemon") ? CHILD_FLAG : argument));
        Process child = new ProcessBuilder(command).redirectInput(new File("/dev/null"))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.equals(READY)) {
                    out.println("thawfs: mounted (daemon pid " + child.pid() + ", log " + log + ")");
                    return 0;
                }
            }
        }
        int code = waitFor(child);
        byte[] written = Files.readAllBytes(log);
        err.print(new String(written, (int) Math.min(logStart, written.length),
                (int) Math.max(0, written.length - logStart), StandardCharsets.UTF_8));
        err.println("thawfs: the daemon exited with code " + code + " before the mount was ready (log: " + log + ")");
        return code == 0 ? Main.EXIT_FAILED : code;
    }

    /** In the child, once the mount answers: tell the parent, and leave the pipe it waits on. */
    static void ready() {
        PrintStream out = System.out;
        out.println(READY);
        out.flush();
        out.close();
    }

    private static int waitFor(Process child) {
        try {
            return child.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.EXIT_FAILED;
        }
    }
}
