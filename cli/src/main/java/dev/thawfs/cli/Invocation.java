package dev.thawfs.cli;

import java.nio.file.Path;
import java.util.Map;

/**
 * Whose command the current thread runs: this process's own (its environment and working
 * directory), or a client's that the daemon owning the store runs for it through the store's
 * control socket, with the client's environment and directory and the daemon's open store.
 */
final class Invocation {
    private static final ThreadLocal<Invocation> CURRENT = ThreadLocal.withInitial(
            () -> new Invocation(System.getenv(), Path.of("").toAbsolutePath(), null));

    private final Map<String, String> environment;
    private final Path workingDirectory;
    private final ControlServer.Connection connection;

    Invocation(Map<String, String> environment, Path workingDirectory, ControlServer.Connection connection) {
        this.environment = Map.copyOf(environment);
        this.workingDirectory = workingDirectory;
        this.connection = connection;
    }

    static Invocation current() {
        return CURRENT.get();
    }

    /** Runs {@code command} as {@code invocation} on this thread. */
    static int run(Invocation invocation, java.util.function.IntSupplier command) {
        CURRENT.set(invocation);
        try {
            return command.getAsInt();
        } finally {
            CURRENT.remove();
        }
    }

    Map<String, String> environment() {
        return environment;
    }

    String environment(String name) {
        return environment.get(name);
    }

    Path workingDirectory() {
        return workingDirectory;
    }

    /** {@code path} as the invoking user meant it: a client's relative path is relative to its working directory. */
    Path path(String path) {
        return connection == null ? Path.of(path) : workingDirectory.resolve(path).normalize();
    }

    /** A source's location as the invoking user meant it: a client's relative local path made absolute. */
    String location(String location) {
        return connection == null || location.contains("://") || location.startsWith("file:") ? location
                : path(location).toString();
    }

    /** The connection of the client this daemon runs the command for; null when the command is this process's own. */
    ControlServer.Connection client() {
        return connection;
    }
}
