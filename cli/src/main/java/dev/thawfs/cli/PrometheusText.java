package dev.thawfs.cli;

import dev.thawfs.fs.engine.RequestStats;
import dev.thawfs.fs.proto.Opcode;
import dev.thawfs.store.LatencyHistogram;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A mount's figures in the Prometheus text exposition format (0.0.4): the scalars of its status
 * report, requests and their latencies by FUSE opcode, and the latency of fetching a file.
 */
final class PrometheusText {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private record Metric(String name, String type, String help) {
    }

    /** Status report keys and what they are as metrics; the daemon_* ones are thawfs_fuse_requests_total. */
    private static final Map<String, Metric> SCALARS = new LinkedHashMap<>();
    /** The artifact.N.* keys, labelled with the artifact's URI. */
    private static final Map<String, Metric> PER_ARTIFACT = new LinkedHashMap<>();

    static {
        SCALARS.put("store_bytes", gauge("thawfs_store_bytes", "fetched content in the store"));
        SCALARS.put("store_budget", gauge("thawfs_store_budget_bytes", "store.budget: content kept before evicting"));
        SCALARS.put("passthrough_opens", counter("thawfs_passthrough_opens_total",
                "opens answered with a backing file: the kernel reads them, not the daemon"));
        SCALARS.put("backing_ids", gauge("thawfs_backing_ids", "backing files registered with the kernel now"));
        SCALARS.put("fetches_running", gauge("thawfs_fetches_running", "files being fetched now"));
        SCALARS.put("object_store_requests", counter("thawfs_object_store_requests_total",
                "requests to object stores"));
        SCALARS.put("object_store_bytes", counter("thawfs_object_store_bytes_total", "bytes read from object stores"));
        SCALARS.put("object_store_retries", counter("thawfs_object_store_retries_total",
                "object store requests retried"));
        SCALARS.put("object_store_failures", counter("thawfs_object_store_failures_total",
                "object store requests failed after their retries"));
        PER_ARTIFACT.put("entries", gauge("thawfs_artifact_entries", "entries of a mounted artifact"));
        PER_ARTIFACT.put("bytes", gauge("thawfs_artifact_bytes", "bytes of a mounted artifact's files"));
        PER_ARTIFACT.put("materialized_files", gauge("thawfs_artifact_materialized_files",
                "files of an artifact in the store"));
        PER_ARTIFACT.put("materialized_bytes", gauge("thawfs_artifact_materialized_bytes",
                "bytes of an artifact's files in the store"));
    }

    private PrometheusText() {
    }

    static String render(MountFigures figures) {
        Map<String, String> status = figures.status().values();
        StringBuilder out = new StringBuilder();
        header(out, gauge("thawfs_mount_info", "the store and the passthrough tier of the mount; always 1"));
        out.append("thawfs_mount_info{store=\"").append(escape(status.get("store"))).append("\",tier=\"")
                .append(escape(status.get("tier"))).append("\"} 1\n");
        SCALARS.forEach((key, metric) -> {
            header(out, metric);
            out.append(metric.name()).append(' ').append(status.get(key)).append('\n');
        });
        PER_ARTIFACT.forEach((key, metric) -> {
            header(out, metric);
            for (int i = 0; status.containsKey("artifact." + i + ".uri"); i++) {
                out.append(metric.name()).append("{artifact=\"").append(escape(status.get("artifact." + i + ".uri")))
                        .append("\"} ").append(status.get("artifact." + i + "." + key)).append('\n');
            }
        });
        RequestStats requests = figures.session().stats();
        Metric byOpcode = counter("thawfs_fuse_requests_total", "FUSE requests the daemon received, by opcode");
        header(out, byOpcode);
        for (int op = 0; op <= Opcode.LIMIT; op++) {
            if (requests.requests(op) > 0) {
                out.append(byOpcode.name()).append("{opcode=\"").append(opcodeName(op)).append("\"} ")
                        .append(requests.requests(op)).append('\n');
            }
        }
        Metric readBytes = counter("thawfs_fuse_read_bytes_total", "bytes the daemon served through READ");
        header(out, readBytes);
        out.append(readBytes.name()).append(' ').append(requests.readBytes()).append('\n');
        Metric latency = histogram("thawfs_fuse_request_duration_seconds",
                "from a FUSE request's arrival to its answer, by opcode");
        header(out, latency);
        for (int op = 0; op <= Opcode.LIMIT; op++) {
            if (requests.latency(op).count() > 0) {
                appendHistogram(out, latency.name(), "opcode=\"" + opcodeName(op) + "\",", requests.latency(op));
            }
        }
        Metric fetch = histogram("thawfs_fetch_duration_seconds",
                "fetching one file's content into the store, failed fetches included");
        header(out, fetch);
        appendHistogram(out, fetch.name(), "", figures.content().fetchLatency());
        return out.toString();
    }

    private static void appendHistogram(StringBuilder out, String name, String labels, LatencyHistogram histogram) {
        long cumulative = 0;
        for (int bucket = 0; bucket <= LatencyHistogram.bounds(); bucket++) {
            cumulative += histogram.count(bucket);
            String le = bucket < LatencyHistogram.bounds() ? seconds(LatencyHistogram.boundNanos(bucket)) : "+Inf";
            out.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ")
                    .append(cumulative).append('\n');
        }
        String plainLabels = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        out.append(name).append("_sum").append(plainLabels).append(' ').append(seconds(histogram.sumNanos()))
                .append('\n');
        out.append(name).append("_count").append(plainLabels).append(' ').append(cumulative).append('\n');
    }

    private static String seconds(long nanos) {
        return Double.toString(nanos / 1e9);
    }

    private static String opcodeName(int opcode) {
        return opcode == Opcode.LIMIT ? "OTHER" : Opcode.name(opcode);
    }

    private static void header(StringBuilder out, Metric metric) {
        out.append("# HELP ").append(metric.name()).append(' ').append(metric.help()).append('\n')
                .append("# TYPE ").append(metric.name()).append(' ').append(metric.type()).append('\n');
    }

    private static String escape(String label) {
        return label.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }

    private static Metric gauge(String name, String help) {
        return new Metric(name, "gauge", help);
    }

    private static Metric counter(String name, String help) {
        return new Metric(name, "counter", help);
    }

    private static Metric histogram(String name, String help) {
        return new Metric(name, "histogram", help);
    }
}
