package dev.thawfs.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** What a class logs (System.Logger writes to java.util.logging) while this is open: "LEVEL message" lines. */
public final class CapturedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<Throwable> thrown = new CopyOnWriteArrayList<>();

    public CapturedLog(Class<?> source) {
        logger = Logger.getLogger(source.getName());
        logger.addHandler(this);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    /** The exceptions logged with the lines, in order. */
    public List<Throwable> thrown() {
        return List.copyOf(thrown);
    }

    @Override
    public void publish(LogRecord record) {
        lines.add(record.getLevel() + " " + record.getMessage());
        if (record.getThrown() != null) {
            thrown.add(record.getThrown());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
    }
}
