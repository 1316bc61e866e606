package dev.thawfs.cli;

import dev.thawfs.fs.kernel.Libc;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code thawfs mount --daemon} in the one JVM that serves the mount. bin/thawfs starts it in the
 * background with its stdout on a pipe it reads and waits on; the JVM tells it where the log is,
 * sends it the warnings up to the moment the mount answers, then {@link #READY}, and from then on
 * writes only to the log. When the pipe closes without {@link #READY}, bin/thawfs shows the log
 * written since and exits with the daemon's exit code.
 */
final class Daemon {
    /** Set by bin/thawfs for the JVM it waits on; without it no one would return to the shell. */
    static final String STARTER_VARIABLE = "THAWFS_DAEMON_STARTER";
    private static final String READY = "thawfs: ready";
    private static final int STDOUT = 1;
    private static final int STDERR = 2;

    private final int log;
    private final Handler toStarter;

    private Daemon(int log, Handler toStarter) {
        this.log = log;
        this.toStarter = toStarter;
    }

    /** Whether this JVM was started by bin/thawfs to be a daemon. */
    static boolean hasStarter() {
        return System.getenv(STARTER_VARIABLE) != null;
    }

    /**
     * Leaves the terminal's session (the daemon outlives it) and sends stderr to {@code logFile}
     * from here on; warnings go to the starter too until {@link #ready}.
     */
    static Daemon detach(Path logFile) throws IOException {
        Path absolute = logFile.toAbsolutePath();
        Files.createDirectories(absolute.getParent());
        Files.write(absolute, new byte[0], StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        int log = Libc.INSTANCE.open((absolute + "\0").getBytes(StandardCharsets.UTF_8),
                Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CLOEXEC);
        if (log < 0) {
            throw new IOException("cannot open " + absolute + " (errno " + Libc.errno() + ")");
        }
        PrintStream starter = System.out;
        starter.println("thawfs: log " + Files.size(absolute) + " " + absolute);
        starter.flush();
        Libc.INSTANCE.setsid();
        System.err.flush();
        Libc.INSTANCE.dup2(log, STDERR);
        return new Daemon(log, ConsoleLogging.copyTo(starter, Level.WARNING));
    }

    /** Once the mount answers: tells the starter, and leaves its pipe for the log. */
    void ready() {
        Logger.getLogger("").removeHandler(toStarter);
        PrintStream out = System.out;
        out.println(READY);
        out.flush();
        Libc.INSTANCE.dup2(log, STDOUT);
        Libc.INSTANCE.close(log);
    }
}
