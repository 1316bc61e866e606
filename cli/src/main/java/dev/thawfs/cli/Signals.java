package dev.thawfs.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import sun.misc.Signal;

/**
 * Ctrl-C and SIGTERM as an orderly stop (exit 0 after a clean unmount) rather than a JVM kill: of
 * every mount the process serves. A second signal, while a busy mount still waits for its last
 * open file, exits at once.
 */
final class Signals {
    private static final int EXIT_SIGNALLED = 130;
    private static final List<Termination> CAUGHT = new CopyOnWriteArrayList<>();
    private static boolean signalled;

    /**
     * Signals caught from {@link #catchTermination} on, so that one arriving while the mount is
     * being set up is not lost to the JVM's default (exit 143 without a clean unmount): the stop
     * runs once it is known.
     */
    static final class Termination {
        private Runnable stop;
        private boolean requested;

        /** What stopping means, once there is something to stop; runs at once if a signal came already. */
        synchronized void stopWith(Runnable stop) {
            this.stop = stop;
            if (requested) {
                start(stop);
            }
        }

        private synchronized void signalled() {
            requested = true;
            if (stop != null) {
                start(stop);
            }
        }

        private static void start(Runnable stop) {
            new Thread(stop, "thawfs-stop").start();
        }
    }

    private Signals() {
    }

    /** Catches SIGINT and SIGTERM from now on; say what they stop with {@link Termination#stopWith}. */
    static synchronized Termination catchTermination() {
        if (CAUGHT.isEmpty()) {
            for (String name : new String[] {"INT", "TERM"}) {
                Signal.handle(new Signal(name), signal -> stopAll());
            }
        }
        Termination termination = new Termination();
        CAUGHT.add(termination);
        if (signalled) {
            termination.signalled();
        }
        return termination;
    }

    private static synchronized void stopAll() {
        if (signalled) {
            System.err.println("thawfs: second signal: exiting now; files still open on the mount"
                    + " will fail with ENOTCONN");
            Runtime.getRuntime().halt(EXIT_SIGNALLED);
        }
        signalled = true;
        CAUGHT.forEach(Termination::signalled);
    }
}
