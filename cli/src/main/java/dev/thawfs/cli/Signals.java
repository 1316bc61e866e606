package dev.thawfs.cli;

import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * Ctrl-C and SIGTERM as an orderly stop (exit 0 after a clean unmount) rather than a JVM kill. A
 * second signal, while a busy mount still waits for its last open file, exits at once.
 */
final class Signals {
    private static final int EXIT_SIGNALLED = 130;

    private Signals() {
    }

    /** Runs {@code stop} on its own thread at the first SIGINT or SIGTERM. */
    static void onTermination(Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> {
                if (stopping.compareAndSet(false, true)) {
                    new Thread(stop, "thawfs-stop").start();
                } else {
                    System.err.println("thawfs: second signal: exiting now; files still open on the mount"
                            + " will fail with ENOTCONN");
                    Runtime.getRuntime().halt(EXIT_SIGNALLED);
                }
            });
        }
    }
}
