package dev.thawfs.bench;

import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.ObjectInfo;
import dev.thawfs.fetcher.RangeReader;
import dev.thawfs.fetcher.RetryPolicy;
import dev.thawfs.fetcher.S3ObjectStore;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What jobs do today before they start: download the whole artifact, then extract it. */
final class Download {
    private Download() {
    }

    /** Downloads one object with parallel ranged GETs (8 MiB parts, 8 in flight); returns the bytes fetched. */
    static long object(S3Settings settings, String bucket, String key, Path target) throws IOException {
        try (S3ObjectStore store = new S3ObjectStore(settings, bucket);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(target), 1 << 20)) {
            ObjectInfo object = store.stat(key);
            RangeReader reader = new RangeReader(store, RetryPolicy.defaults());
            reader.copy(object, 0, object.size(), out);
            return reader.counters().bytes();
        }
    }

    /** Extracts a zip, tar.gz or tar into {@code directory} with {@link #extractor}. */
    static void extract(Path archive, Path directory) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(extractor(archive.getFileName().toString()));
        command.add(archive.toString());
        Files.createDirectories(directory);
        Process process = new ProcessBuilder(command).directory(directory.toFile()).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
    }

    /** The command that extracts an archive of this name, without the archive: unzip -q, tar xzf or tar xf. */
    static List<String> extractor(String name) {
        return name.endsWith(".zip") ? List.of("unzip", "-q") : List.of("tar", name.endsWith(".gz") ? "xzf" : "xf");
    }
}
