package dev.thawfs.cli;

import dev.thawfs.fs.kernel.Libc;
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
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code thawfs mount --daemon}: the same command runs again as a child in a session of its own,
 * its output going to a log file; this process shows the child's warnings and waits until the
 * child says the mount answers (or the child dies, when its log is shown) and exits with that
 * outcome.
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
        List<String> shown = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.equals(READY)) {
                    out.println("thawfs: mounted (daemon pid " + child.pid() + ", log " + log + ")");
                    return 0;
                }
                err.println(line); // a warning before the mount was ready
                err.flush();
                shown.add(line);
            }
        }
        int code = waitFor(child);
        byte[] written = Files.readAllBytes(log);
        List<String> logged = new ArrayList<>(List.of(new String(written, (int) Math.min(logStart, written.length),
                (int) Math.max(0, written.length - logStart), StandardCharsets.UTF_8).split("\n")));
        shown.forEach(logged::remove);
        logged.forEach(err::println);
        err.println("thawfs: the daemon exited with code " + code + " before the mount was ready (log: " + log + ")");
        return code == 0 ? Main.EXIT_FAILED : code;
    }

    /**
     * In the child: a session of its own, so the starter's terminal going away does not stop it;
     * warnings go to the starter too until the mount is ready.
     */
    static Child becomeChild() {
        Libc.INSTANCE.setsid();
        return new Child(ConsoleLogging.copyTo(System.out, Level.WARNING));
    }

    /** The child's side of the pipe its starter waits on. */
    static final class Child {
        private final Handler toStarter;

        private Child(Handler toStarter) {
            this.toStarter = toStarter;
        }

        /** Once the mount answers: tell the starter, and leave the pipe. */
        void ready() {
            Logger.getLogger("").removeHandler(toStarter);
            PrintStream out = System.out;
            out.println(READY);
            out.flush();
            out.close();
        }
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
