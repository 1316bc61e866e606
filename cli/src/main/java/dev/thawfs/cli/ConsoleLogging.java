package dev.thawfs.cli;

import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

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
