package dev.thawfs.bench;

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

    /** Reads the package repository, not the bundle. */
    boolean repository() {
        return this == REPO;
    }
}
