package dev.thawfs.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Commands run as a shell would run them, for tests and benchmarks. */
public final class Commands {
    private Commands() {
    }

    /** How a command ended: its exit code (-1 when it was killed), stdout and stderr together, how long it took. */
    public record Result(int exit, String output, long millis) {
    }

    /**
     * Runs a command (stdout and stderr together) in {@code directory} (null: here) with extra
     * environment, killing it (SIGKILL) after {@code limit}.
     */
    public static Result run(Duration limit, Path directory, Map<String, String> environment, String... command)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("thawfs-run", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            if (directory != null) {
                builder.directory(directory.toFile());
            }
            builder.environment().putAll(environment);
            long start = System.nanoTime();
            Process process = builder.start();
            boolean done = process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            String text = Files.readString(output, StandardCharsets.UTF_8);
            return new Result(done ? process.exitValue() : -1, done ? text : text + "\n(killed after " + limit + ")",
                    millis);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * Runs a command that must succeed within ten minutes (zip, tar, mount...) in {@code directory}
     * (null: here): its output, trimmed; an IOException with the output when it fails.
     */
    public static String check(Path directory, String... command) throws IOException, InterruptedException {
        Result result = run(Duration.ofMinutes(10), directory, Map.of(), command);
        if (result.exit() != 0) {
            throw new IOException(String.join(" ", command) + " exited " + result.exit() + ": " + result.output());
        }
        return result.output().trim();
    }
}
