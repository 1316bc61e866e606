package dev.thawfs.cli;

import java.io.PrintStream;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/** One short line per log record on stderr: {@code thawfs: warning: ...}. */
final class ConsoleLogging extends Formatter {

    static void install() {
        LogManager.getLogManager().reset();
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new ConsoleLogging());
        handler.setLevel(Level.ALL);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        root.setLevel(Level.INFO);
    }

    /** Also writes records of {@code level} and above to {@code out}, until the handler returned is removed. */
    static Handler copyTo(PrintStream out, Level level) {
        StreamHandler handler = new StreamHandler(out, new ConsoleLogging()) {
            @Override
            public synchronized void publish(LogRecord record) {
                super.publish(record);
                flush();
            }
        };
        handler.setLevel(level);
        Logger.getLogger("").addHandler(handler);
        return handler;
    }

    @Override
    public String format(LogRecord record) {
        String level = record.getLevel().intValue() >= Level.SEVERE.intValue() ? "error: "
                : record.getLevel().intValue() >= Level.WARNING.intValue() ? "warning: " : "";
        String message = "thawfs: " + level + formatMessage(record) + System.lineSeparator();
        if (record.getThrown() != null && record.getLevel().intValue() >= Level.SEVERE.intValue()) {
            java.io.StringWriter trace = new java.io.StringWriter();
            record.getThrown().printStackTrace(new java.io.PrintWriter(trace));
            message += trace;
        }
        return message;
    }
}
