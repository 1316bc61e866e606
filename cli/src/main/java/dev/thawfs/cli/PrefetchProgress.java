package dev.thawfs.cli;

import dev.thawfs.store.Node;
import dev.thawfs.store.Progress;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Prefetch progress: a bar with files, bytes, rate and ETA on a terminal; a plain line every few
 * seconds otherwise (logs, CI).
 */
final class PrefetchProgress implements Progress, AutoCloseable {
    private static final long LINE_EVERY_NANOS = 5_000_000_000L;

    private final long totalFiles;
    private final AtomicLong files = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final ProgressBar bar;
    private final PrintWriter lines;
    private final long start = System.nanoTime();
    private volatile long lastLine = start;

    PrefetchProgress(long totalFiles, long totalBytes, PrintWriter err) {
        this.totalFiles = totalFiles;
        if (System.console() != null) {
            bar = new ProgressBarBuilder().setTaskName("prefetch").setInitialMax(totalBytes).setUnit(" MiB", 1 << 20)
                    .setStyle(ProgressBarStyle.ASCII).showSpeed().build();
            lines = null;
        } else {
            bar = null;
            lines = err;
        }
    }

    @Override
    public void bytes(long count) {
        bytes.addAndGet(count);
        if (bar != null) {
            bar.stepBy(count);
        } else {
            maybePrintLine();
        }
    }

    @Override
    public void fileDone(Node node) {
        long done = files.incrementAndGet();
        if (bar != null) {
            bar.setExtraMessage(done + "/" + totalFiles + " files");
        }
    }

    private void maybePrintLine() {
        long now = System.nanoTime();
        if (now - lastLine >= LINE_EVERY_NANOS) {
            lastLine = now;
            lines.println(line());
            lines.flush();
        }
    }

    String line() {
        double seconds = Math.max(1e-3, (System.nanoTime() - start) / 1e9);
        return String.format("thawfs: prefetch %d/%d files, %.1f MiB, %.1f MiB/s", files.get(), totalFiles,
                bytes.get() / 1048576.0, bytes.get() / 1048576.0 / seconds);
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
