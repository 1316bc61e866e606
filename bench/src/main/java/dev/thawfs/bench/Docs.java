package dev.thawfs.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Puts the compare results into docs/BENCHMARKS.md, replacing the section of an earlier run. */
final class Docs {
    private static final String HEADING = "## compare";

    private Docs() {
    }

    static void writeCompareSection(Path file, String table, String result, Duration latency, long cap, long totalBytes,
            int files, Duration timeout) throws IOException {
        String machine = "Measured on " + Runtime.getRuntime().availableProcessors() + " cores, "
                + (Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D+", "") + " kB") + " memory, Linux "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version") + ".";
        String section = HEADING + "\n\n" + machine + " Reproduce with `bench/run compare` (`--quick` for a small smoke"
                + " run; `--latency-ms N --cap-mb N` change the network). Every system reads from S3Proxy on 127.0.0.1"
                + " through the same loopback proxy: " + latency.toMillis() + " ms before each response's first byte, "
                + cap / 1_000_000 + " MB/s per connection. Fixtures: a " + (totalBytes >> 20) + " MiB job bundle of "
                + files + " files (JDK-, jar-, site-packages- and app-like trees of 1 B-32 KiB files and 50-200 MiB data"
                + " files) as a zip and, for rclone and s3fs, as a prefix of its extracted files; a package repository"
                + " prefix (jars, wheels, .sha256 files).\n\n"
                + "Workloads, the same Java code on every system: **startup** replays the startup trace (stat the"
                + " entries of every directory it uses, then about 10 % of the files whole and a part of one large file:"
                + " about 5 % of the bytes), mounting included; **seq** reads every file whole; **rand** makes 2,000 4 KiB"
                + " reads at random offsets of the large files; **walk** stats every entry (find + stat); **repo** lists the"
                + " repository, reads every checksum and every twentieth package, mounting included. Cold: empty caches"
                + " (a new store, cache directory or download) and the page cache dropped; warm: the same again after a"
                + " remount, caches kept. A run longer than " + timeout.toSeconds() + " s is stopped and shown as n/a; thawfs"
                + " then fills its store with `thawfs prefetch --all` before its warm run, the others have no warm run."
                + " Fetched bytes and requests are counted at the proxy; daemon FUSE requests from thawfs's --stats.\n\n"
                + table + "\n`" + result + "`\n\n"
                + "Ratios are thawfs's time ÷ the other's: `startup_vs_download` (cold, trace not prefetched) against"
                + " download + extract + startup, `startup_vs_rclone` against rclone, `warm_*_vs_native` against the"
                + " extracted tree on local disk.\n";
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
        int start = text.indexOf(HEADING + "\n");
        if (start < 0) {
            text = text.stripTrailing() + "\n\n" + section;
        } else {
            int next = text.indexOf("\n## ", start + HEADING.length());
            text = text.substring(0, start) + section + (next < 0 ? "" : text.substring(next + 1));
        }
        Files.writeString(file, text);
    }
}
