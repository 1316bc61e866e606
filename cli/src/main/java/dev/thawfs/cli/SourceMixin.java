package dev.thawfs.cli;

import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Where sources are fetched from (S3 settings), and importing a source's index into the store. */
final class SourceMixin {
    @Option(names = "--s3-endpoint", paramLabel = "URL", description = "an S3-compatible store (path-style access)")
    URI s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION", defaultValue = "us-east-1",
            description = "default: ${DEFAULT-VALUE}")
    String s3Region;

    /** Credentials from the environment (never flags, which show in ps), else the AWS default chain. */
    S3Settings s3() {
        return new S3Settings(s3Endpoint, s3Region, System.getenv("AWS_PROFILE"), System.getenv("AWS_ACCESS_KEY_ID"),
                System.getenv("AWS_SECRET_ACCESS_KEY"), s3Endpoint != null, Duration.ofSeconds(30));
    }

    /**
     * Imports a source's index (a no-op for a version imported before). With the source
     * unreachable, the version imported before is used, with a warning on {@code err}.
     */
    Artifact importSource(Store store, FetcherSource content, String source, PrintWriter err) throws IOException {
        try {
            return content.importArtifact(store, Artifacts.open(source, FetchOptions.defaults(s3()),
                    store.scratchDirectory()));
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            String uri = source.startsWith("s3://") || source.startsWith("file:") ? source
                    : "file:" + Path.of(source).toAbsolutePath().normalize();
            Artifact before = store.latestArtifact(uri).orElseThrow(() -> cause);
            err.println("thawfs: warning: " + cause.getMessage() + "; using the copy imported before (only what is"
                    + " already in the store can be read)");
            return before;
        }
    }
}
