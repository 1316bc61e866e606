package dev.thawfs.cli;

import static dev.thawfs.cli.ConfigMixin.override;

import dev.thawfs.config.Settings;
import dev.thawfs.fetcher.ArchiveLimits;
import dev.thawfs.fetcher.ArtifactReader;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.fetcher.RangeReader;
import dev.thawfs.fetcher.RetryPolicy;
import dev.thawfs.fetcher.SeekIndexOptions;
import dev.thawfs.fs.thaw.Layer;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;
import picocli.CommandLine.Option;

/** Where sources are fetched from, and importing sources' indexes into the store as layers. */
final class SourceMixin implements ConfigMixin.Flags {
    private static final Logger LOG = Logger.getLogger(SourceMixin.class.getName());

    @Option(names = "--s3-endpoint", paramLabel = "URL",
            description = "an S3-compatible store (path-style access unless s3.path-style = false)")
    URI s3Endpoint;

    @Option(names = "--s3-region", paramLabel = "REGION",
            description = "default: ${sys:thawfs.default.s3.region} (s3.region)")
    String s3Region;

    @Option(names = "--http-listing", paramLabel = "MODE",
            description = "how an https://HOST/PREFIX/ source's tree is found: index (the server's autoindex HTML"
                    + " pages, at mount) or none (each name looked up when first asked for, what is found kept);"
                    + " default: ${sys:thawfs.default.http.listing} (http.listing)")
    String httpListing;

    @Override
    public Settings applyTo(Settings settings) {
        Settings s3 = override(override(settings, Settings.S3_ENDPOINT, s3Endpoint, "--s3-endpoint"),
                Settings.S3_REGION, s3Region, "--s3-region");
        return override(s3, Settings.HTTP_LISTING, httpListing, "--http-listing");
    }

    /**
     * Credentials from the environment (never flags, which show in ps): S3's, else the profile or
     * the AWS chain; HTTP's from THAWFS_HTTP_BEARER, THAWFS_HTTP_USER and THAWFS_HTTP_PASSWORD,
     * else a netrc file ($NETRC, else ~/.netrc).
     */
    static FetchOptions fetchOptions(Settings settings) {
        Invocation invocation = Invocation.current();
        String netrc = invocation.environment().getOrDefault("NETRC", System.getProperty("user.home") + "/.netrc");
        return new FetchOptions(settings.s3(invocation.environment("AWS_ACCESS_KEY_ID"),
                        invocation.environment("AWS_SECRET_ACCESS_KEY")),
                settings.http(invocation.environment("THAWFS_HTTP_BEARER"), invocation.environment("THAWFS_HTTP_USER"),
                        invocation.environment("THAWFS_HTTP_PASSWORD"), invocation.path(netrc)),
                new RetryPolicy(settings.get(Settings.FETCH_ATTEMPTS), settings.get(Settings.FETCH_RETRY_BASE_DELAY),
                        settings.get(Settings.FETCH_RETRY_MAX_DELAY)),
                new RangeReader.Parallelism(Math.toIntExact(settings.get(Settings.FETCH_PART_SIZE)),
                        settings.get(Settings.FETCH_PARALLEL_PARTS)),
                new ArchiveLimits(settings.get(Settings.LIMITS_MAX_ENTRIES),
                        settings.get(Settings.LIMITS_MAX_EXPANSION_RATIO), settings.get(Settings.LIMITS_MAX_ENTRY_SIZE),
                        settings.get(Settings.LIMITS_ON_BAD_ENTRY)), SeekIndexOptions.defaults());
    }

    /** tar.gz seek indexes as the settings say, kept in the store's directory. */
    static SeekIndexOptions seekIndexes(Settings settings) {
        return new SeekIndexOptions(settings.get(Settings.INDEX_CHECKPOINT_SPACING),
                Store.seekIndexDirectory(settings.get(Settings.STORE_DIR)));
    }

    /**
     * Imports each source opened by {@code opening} (a no-op for a version imported before) as a
     * layer at its PATH. With a source unreachable, the version imported before is used, with a warning.
     */
    static List<Layer> importLayers(Store store, FetcherSource content, Opening opening) throws IOException {
        List<Layer> layers = new ArrayList<>();
        for (String source : opening.sources) {
            int equals = source.indexOf('=');
            layers.add(new Layer(importSource(store, content, uri(source), opening),
                    equals < 0 ? "" : source.substring(equals + 1)));
        }
        return layers;
    }

    /**
     * Each {@code SOURCE[=PATH]}'s reader being opened (an object store's client built, the
     * object's version asked for), one thread each, while the store opens: the two take the same
     * time on a remount. Closing it closes what was opened and not imported.
     */
    static final class Opening implements AutoCloseable {
        private final List<String> sources;
        private final List<CompletableFuture<ArtifactReader>> readers;
        private int taken;

        Opening(Settings settings, List<String> sources) {
            this.sources = sources;
            FetchOptions options = fetchOptions(settings).withSeekIndexes(seekIndexes(settings));
            Path scratch = Store.scratchDirectory(settings.get(Settings.STORE_DIR));
            this.readers = sources.stream().map(source -> CompletableFuture.supplyAsync(() -> {
                try {
                    return Artifacts.open(uri(source), options, scratch);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, task -> new Thread(task, "thawfs-open-source").start())).toList();
        }

        /** The next source's reader, or why it could not be opened. */
        private ArtifactReader next() throws IOException {
            try {
                return readers.get(taken++).join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof UncheckedIOException unchecked) {
                    throw unchecked.getCause();
                }
                throw e.getCause() instanceof RuntimeException runtime ? runtime : e;
            }
        }

        @Override
        public void close() throws IOException {
            while (taken < readers.size()) {
                try {
                    next().close();
                } catch (IOException | RuntimeException e) {
                    // never opened: nothing to close
                }
            }
        }
    }

    /** Refuses, before anything is opened or created, {@code SOURCE[=PATH]}s that could never be imported. */
    static void check(List<String> sources) {
        sources.forEach(source -> Artifacts.check(uri(source)));
    }

    /** The source's location, a relative path taken as the invoking user meant it. */
    private static String uri(String source) {
        int equals = source.indexOf('=');
        return Invocation.current().location(equals < 0 ? source : source.substring(0, equals));
    }

    private static Artifact importSource(Store store, FetcherSource content, String source, Opening opening)
            throws IOException {
        try {
            return content.importArtifact(store, opening.next());
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            Artifact before = store.latestArtifact(Artifacts.uri(source)).orElseThrow(() -> cause);
            LOG.warning(cause.getMessage() + "; using the copy imported before (only what is already in the store"
                    + " can be read)");
            return before;
        }
    }
}
