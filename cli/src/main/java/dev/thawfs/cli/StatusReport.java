package dev.thawfs.cli;

import dev.thawfs.store.Artifact;
import dev.thawfs.store.Materialized;
import dev.thawfs.store.Store;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The status of a store (and of the mount serving it) as ordered key=value lines: easy to send
 * through an extended attribute, to read back, and to print as text or JSON.
 */
final class StatusReport {
    private final Map<String, String> values = new LinkedHashMap<>();

    StatusReport put(String key, Object value) {
        values.put(key, String.valueOf(value));
        return this;
    }

    static StatusReport of(Store store, List<Artifact> artifacts) {
        StatusReport report = new StatusReport().put("store", store.directory())
                .put("store_bytes", store.materializedBytes()).put("store_budget", store.options().budgetBytes());
        for (int i = 0; i < artifacts.size(); i++) {
            Artifact a = artifacts.get(i);
            Materialized materialized = store.materialized(a);
            report.put("artifact." + i + ".uri", a.uri()).put("artifact." + i + ".identity", a.identity())
                    .put("artifact." + i + ".entries", a.entries()).put("artifact." + i + ".bytes", a.bytes())
                    .put("artifact." + i + ".materialized_files", materialized.files())
                    .put("artifact." + i + ".materialized_bytes", materialized.bytes());
        }
        return report;
    }

    /** The values by key, in the order they were put. */
    Map<String, String> values() {
        return Collections.unmodifiableMap(values);
    }

    String lines() {
        StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> text.append(key).append('=').append(value.replace('\n', ' ')).append('\n'));
        return text.toString();
    }

    static StatusReport parse(String lines) {
        StatusReport report = new StatusReport();
        for (String line : lines.split("\n")) {
            int equals = line.indexOf('=');
            if (equals > 0) {
                report.values.put(line.substring(0, equals), line.substring(equals + 1));
            }
        }
        return report;
    }

    String json() {
        StringBuilder json = new StringBuilder("{");
        String separator = "";
        for (Map.Entry<String, String> entry : values.entrySet()) {
            json.append(separator).append(Json.quote(entry.getKey())).append(':');
            String value = entry.getValue();
            json.append(value.matches("-?\\d{1,18}") ? value : Json.quote(value));
            separator = ",";
        }
        return json.append('}').toString();
    }

    /** Aligned "key  value" lines, sizes in MiB. */
    String text() {
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(0);
        StringBuilder text = new StringBuilder();
        values.forEach((key, value) -> {
            String shown = key.endsWith("bytes") || key.endsWith("budget") ? GcCommand.human(Long.parseLong(value)) : value;
            text.append(String.format("%-" + width + "s  %s%n", key, shown));
        });
        return text.toString();
    }
}
