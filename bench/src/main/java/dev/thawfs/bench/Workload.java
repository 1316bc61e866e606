package dev.thawfs.bench;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/** The workloads of bench/run compare, each run cold and warm by {@link Workloads} on every system. */
enum Workload {
    STARTUP("startup", true), SEQ("seq", false), RAND("rand", false), WALK("walk", false), REPO("repo", true);

    final String label;
    /** Warm runs count mounting too: a job (or a build) starting again mounts again. */
    final boolean remounts;

    Workload(String label, boolean remounts) {
        this.label = label;
        this.remounts = remounts;
    }

    /** The workloads labelled in {@code labels}, comma-separated. */
    static Set<Workload> parse(String labels) {
        Set<Workload> workloads = EnumSet.noneOf(Workload.class);
        for (String label : labels.split(",")) {
            workloads.add(Arrays.stream(values()).filter(workload -> workload.label.equals(label)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("compare: no workload '" + label + "'; there are "
                            + Arrays.stream(values()).map(workload -> workload.label).toList())));
        }
        return workloads;
    }

    /** Reads the package repository, not the bundle. */
    boolean repository() {
        return this == REPO;
    }
}
