package dev.thawfs.bench;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/** Runs the external commands of bench/run compare, each with a time limit. */
final class Commands {
    /** A command stopped at its time limit. */
    static final class Stopped extends IOException {
        Stopped(Duration limit) {
            super("stopped after " + limit.toSeconds() + " s");
        }
    }

    private Commands() {
    }

    /**
     * Runs {@code command} in {@code directory} to its end and returns its output (stdout and
     * stderr); throws {@link Stopped} after {@code limit} (the command killed), IOException when it fails.
     */
    static String run(List<String> command, Path directory, Consumer<Map<String, String>> environment, Duration limit)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile(directory, "command", ".out");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                    .redirectInput(new File("/dev/null")).redirectErrorStream(true).redirectOutput(output.toFile());
            environment.accept(builder.environment());
            Process process = builder.start();
            if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly().waitFor();
                throw new Stopped(limit);
            }
            String said = Files.readString(output);
            if (process.exitValue() != 0) {
                throw new IOException(Path.of(command.get(0)).getFileName() + " " + command.get(1) + ": " + cause(said));
            }
            return said;
        } finally {
            Files.delete(output);
        }
    }

    /** The line of a failed command's output that says why: its last one, not counting stack frames. */
    private static String cause(String output) {
        List<String> lines = output.lines().filter(line -> !line.isBlank() && !Character.isWhitespace(line.charAt(0)))
                .toList();
        return lines.isEmpty() ? "failed" : lines.get(lines.size() - 1).strip();
    }
}
