package dev.thawfs.cli;

import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Which local store a command uses, and its size budget. */
final class StoreMixin {
    @Option(names = "--store", paramLabel = "DIR", defaultValue = "${env:THAWFS_STORE:-/var/cache/thawfs}",
            description = "the local store; default: ${DEFAULT-VALUE} (or $THAWFS_STORE)")
    Path directory;

    @Option(names = "--budget", paramLabel = "SIZE", converter = Sizes.class, defaultValue = "10GiB",
            description = "content the store keeps before evicting; default: ${DEFAULT-VALUE}")
    long budget;

    /** Materializations at once (prefetch sets it from its --concurrency). */
    int concurrency = StoreOptions.defaults().concurrency();

    Store open() {
        return Store.open(directory, StoreOptions.defaults().withBudget(budget).withConcurrency(concurrency));
    }
}
