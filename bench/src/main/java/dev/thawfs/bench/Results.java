package dev.thawfs.bench;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToLongFunction;

/** The figures of bench/run compare, by workload and system, as a table and as the RESULT line. */
final class Results {
    static final String THAWFS = "thawfs";
    static final String NATIVE = "native";
    static final String DOWNLOAD = "download + extract";
    static final String RCLONE = "rclone";

    /**
     * One run: {@code seconds} in all, {@code preparing} of it mounting (downloading, prefetching),
     * fetched {@code bytes} and {@code requests} at the proxy, {@code daemonRequests} served by
     * thawfs (-1: not counted), {@code amount} the workload read; {@code note} says why there are
     * no times (n/a).
     */
    record Figures(double seconds, double preparing, long bytes, long requests, long daemonRequests, long amount,
            String note) {
        static Figures notAvailable(String why) {
            return new Figures(Double.NaN, Double.NaN, 0, 0, -1, -1, why);
        }

        boolean measured() {
            return note == null;
        }

        String time() {
            return measured() ? Results.seconds(seconds) : note.isEmpty() ? "n/a" : "n/a (" + note + ")";
        }
    }

    private final Map<Workload, Map<String, Figures[]>> figures = new LinkedHashMap<>();

    Results() {
        for (Workload workload : Workload.values()) {
            figures.put(workload, new LinkedHashMap<>());
        }
    }

    void put(Workload workload, String system, Figures cold, Figures warm) {
        figures.get(workload).put(system, new Figures[] {cold, warm});
    }

    /** The first cold run of {@code workload} (native's), the amount every other run must read. */
    Figures reference(Workload workload) {
        return figures.get(workload).values().stream().findFirst().map(runs -> runs[0]).orElse(null);
    }

    /** A markdown table, workload by workload, every system's cold and warm figures and their ratios. */
    String table() {
        StringBuilder table = new StringBuilder("| workload | system | cold s | of which mounting, downloading | warm s"
                + " | fetched MiB cold / warm | requests cold / warm | thawfs FUSE requests cold / warm"
                + " | cold ÷ download + extract | warm ÷ native |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        figures.forEach((workload, rows) -> rows.forEach((system, runs) -> {
            Figures cold = runs[0];
            Figures warm = runs[1];
            table.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    workload.label, system, cold.time(), cold.measured() ? seconds(cold.preparing()) : "", warm.time(),
                    both(cold, warm, Figures::bytes, 1048576.0), both(cold, warm, Figures::requests, 1),
                    cold.daemonRequests() < 0 ? "" : both(cold, warm, Figures::daemonRequests, 1),
                    ratio(cold, get(workload, DOWNLOAD, 0)), ratio(warm, get(workload, NATIVE, 1))));
        }));
        return table.toString();
    }

    /** The ratios of the RESULT line (settings not included), as {@code key=value ...}. */
    String ratios() {
        return "startup_vs_download=" + ratio(get(Workload.STARTUP, THAWFS, 0), get(Workload.STARTUP, DOWNLOAD, 0))
                + " startup_vs_rclone=" + ratio(get(Workload.STARTUP, THAWFS, 0), get(Workload.STARTUP, RCLONE, 0))
                + " warm_seq_vs_native=" + ratio(get(Workload.SEQ, THAWFS, 1), get(Workload.SEQ, NATIVE, 1))
                + " warm_rand_vs_native=" + ratio(get(Workload.RAND, THAWFS, 1), get(Workload.RAND, NATIVE, 1))
                + " walk_warm_vs_native=" + ratio(get(Workload.WALK, THAWFS, 1), get(Workload.WALK, NATIVE, 1))
                + " scan_vs_download=" + ratio(get(Workload.SEQ, THAWFS, 0), get(Workload.SEQ, DOWNLOAD, 0))
                + " repo_fetched_ratio=" + fetchedRatio(get(Workload.REPO, THAWFS, 0));
    }

    /** Bytes fetched ÷ bytes read by a run, or na. */
    private static String fetchedRatio(Figures figures) {
        boolean read = figures != null && figures.measured() && figures.amount() > 0;
        return read ? String.format(Locale.ROOT, "%.3f", (double) figures.bytes() / figures.amount()) : "na";
    }

    private Figures get(Workload workload, String system, int warm) {
        Figures[] runs = figures.get(workload).get(system);
        return runs == null ? null : runs[warm];
    }

    /** Time of {@code figures} ÷ time of {@code other}, or na. */
    private static String ratio(Figures figures, Figures other) {
        boolean both = figures != null && other != null && figures.measured() && other.measured() && other.seconds() > 0;
        return both ? String.format(Locale.ROOT, "%.3f", figures.seconds() / other.seconds()) : "na";
    }

    static String seconds(double seconds) {
        return String.format(Locale.ROOT, seconds < 1 ? "%.3f" : "%.2f", seconds);
    }

    /** A figure of a cold run and of its warm run, "cold / warm"; empty when the cold run did not start. */
    private static String both(Figures cold, Figures warm, ToLongFunction<Figures> figure, double unit) {
        if (!cold.measured() && cold.requests() == 0) {
            return "";
        }
        String format = unit == 1 ? "%.0f" : "%.1f";
        return String.format(Locale.ROOT, format, figure.applyAsLong(cold) / unit) + " / "
                + (warm.measured() ? String.format(Locale.ROOT, format, figure.applyAsLong(warm) / unit) : "-");
    }
}
