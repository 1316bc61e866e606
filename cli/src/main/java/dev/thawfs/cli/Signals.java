package dev.thawfs.cli;

import sun.misc.Signal;

/** Ctrl-C and SIGTERM as an orderly stop (exit 0 after a clean unmount) rather than a JVM kill. */
final class Signals {
    private Signals() {
    }

    /** Runs {@code stop} on its own thread at the first SIGINT or SIGTERM. */
    static void onTermination(Runnable stop) {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> new Thread(stop, "thawfs-signal-" + name).start());
        }
    }
}
