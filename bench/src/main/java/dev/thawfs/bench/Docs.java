package dev.thawfs.bench;

import dev.thawfs.bench.CompareBench.Settings;
import dev.thawfs.bench.Fixtures.Read;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** The compare section of docs/BENCHMARKS.md: what was measured, how, on what, and the results. */
final class Docs {
    private static final String HEADING = "## compare";

    private Docs() {
    }

    static String compareSection(Settings settings, List<String> setups, String table, String result, Path work,
            Duration took) throws IOException {
        long memoryKib = Long.parseLong(Files.readAllLines(Path.of("/proc/meminfo")).get(0).replaceAll("\\D+", ""));
        long traceFiles = settings.trace().stream().map(Read::path).distinct().count();
        return HEADING + "\n\n"
                + "thawfs against what jobs do today (download everything, extract, start) and the FUSE filesystems"
                + " object storage is mounted with, on the same fixtures through the same network. Reproduce with"
                + " `bench/run compare` (this run: " + took.toMinutes() + " min in all, after the build); `--quick` is"
                + " a smoke run of a few minutes (CI runs it) that writes its table to bench/work/compare/compare.md"
                + " rather than here; `--latency-ms N --cap-mb N --timeout-s N` change the settings below;"
                + " `--only seq,repo` and `--systems native,download,thawfs` run some workloads or systems (written"
                + " there too).\n\n"
                + String.format(Locale.ROOT, "**Machine**: %d cores (nproc), %.1f GiB memory, Linux %s (uname -r),"
                        + " Java %s, the work directory on %s. The machine is shared and noisy: compare figures"
                        + " within one run.%n%n", Runtime.getRuntime().availableProcessors(), memoryKib / 1048576.0,
                        System.getProperty("os.version"), System.getProperty("java.version"),
                        Files.getFileStore(work).type())
                + "**Network**: every system reads from S3Proxy on 127.0.0.1 through one loopback proxy that holds"
                + " each response's first byte for " + settings.latency().toMillis() + " ms and caps each connection"
                + " at " + settings.cap() / 1_000_000 + " MB/s. Fetched bytes (responses, headers included) and"
                + " requests are counted at that proxy, the same way for every system.\n\n"
                + String.format(Locale.ROOT, "**Fixtures** (seeded, `Fixtures`): a %d MiB job bundle of %,d files"
                        + " (JDK-, jar-, site-packages- and app-like trees of 1 B-%d KiB files, directory by directory,"
                        + " and %d data files of up to %d MiB) as `bundle.zip` (deflate level 1; what thawfs, download"
                        + " + extract and fuse-zip read unless a row says otherwise), `bundle.tar.gz` and, for rclone"
                        + " and s3fs, the prefix `tree/` of its files; a package repository prefix of %,d"
                        + " objects (jars and wheels of 2-200 KiB, each with a `.sha256`); a startup trace"
                        + " (`thawfs mount --record`'s format) of %,d reads: whole directories of small files (a"
                        + " package imported, a module's classes loaded) until about 10 %% of the files (%,d), in tree"
                        + " order, and one partial read of a data file, %.1f MiB in all (%.1f %% of the bytes).%n%n",
                        settings.totalBytes() >> 20, settings.files(), settings.smallMax() >> 10,
                        settings.largeFiles(), Math.min(200, settings.totalBytes() / 8 >> 20), settings.repoObjects(),
                        settings.trace().size(), traceFiles, settings.traceBytes() / 1048576.0,
                        100.0 * settings.traceBytes() / settings.totalBytes())
                + "**Workloads** (`Workloads`: the same code for every system, each run in a JVM of its own and timed"
                + " inside it): **startup** lists and stats every entry of the directories the trace uses, then makes"
                + " its reads in order; **seq** reads every file of the bundle whole, in tree order, 1 MiB at a time;"
                + " **rand** makes " + String.format(Locale.ROOT, "%,d", settings.randomReads()) + " 4 KiB reads at"
                + " seeded random offsets of the data files; **walk** stats every entry of the tree (find + stat);"
                + " **repo** lists the repository, reads every checksum and every twentieth package (a build"
                + " resolving dependencies). Every run checks that it read as many bytes (entries) as natively.\n\n"
                + "**Cold and warm**: cold starts from nothing: empty caches (a new store, cache directory or"
                + " download) and the page cache dropped; its time includes mounting, downloading and extracting,"
                + " prefetching: whatever comes before the job. Warm unmounts, mounts again with the caches kept and"
                + " runs the same workload; its time includes mounting for startup and repo (a job or build starting"
                + " again), not for seq, rand and walk (a mount in use). A run longer than "
                + settings.timeout().toSeconds() + " s is stopped and shown as n/a; thawfs then fills its store with"
                + " `thawfs prefetch --all` before its warm run, the others have no warm run.\n\n"
                + "**Systems** (ENDPOINT: the proxy; rclone's remote `bench` is of type s3, provider Other, at ENDPOINT;"
                + " every tool gets the credentials from its environment):\n\n" + String.join("\n", setups) + "\n\n"
                + table + "\n`" + result + "`\n\n"
                + "Every ratio but the last is a time ÷ a time; below 1, thawfs is faster. `startup_vs_download`:"
                + " thawfs's cold"
                + " startup (mount with an empty store, no trace, + the startup workload) ÷ download + extract + the"
                + " startup workload; `startup_vs_rclone`: the same thawfs run ÷ rclone's cold startup (mount with an"
                + " empty cache + the workload); `warm_seq_vs_native`, `warm_rand_vs_native`, `walk_warm_vs_native`:"
                + " thawfs's warm seq, rand and walk ÷ the same workload on the extracted tree on local disk with a"
                + " warm page cache; `scan_vs_download`: thawfs's cold seq (mount with an empty store + every file"
                + " read whole in archive order) ÷ download + extract + the same reads; `repo_fetched_ratio`: the"
                + " bytes thawfs fetched in its cold repo run (headers and listings included) ÷ the bytes the"
                + " workload read. The table's last two columns divide every row's cold time by download +"
                + " extract's and its warm time by native's, for the same workload.\n";
    }

    /** Puts {@code section} into {@code file}, replacing the compare section of an earlier run. */
    static void replaceSection(Path file, String section) throws IOException {
        String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
        int start = text.indexOf(HEADING + "\n");
        if (start < 0) {
            text = text.stripTrailing() + "\n\n" + section;
        } else {
            int next = text.indexOf("\n## ", start + HEADING.length());
            text = text.substring(0, start) + section + (next < 0 ? "" : "\n" + text.substring(next + 1));
        }
        Files.writeString(file, text);
    }
}
