package dev.thawfs.fetcher;

import dev.thawfs.config.HttpListing;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Opens an artifact from a source string: {@code s3://bucket/key}, {@code s3://bucket/prefix/}
 * (a trailing slash: the whole prefix), {@code https://host/path/file.zip} (or {@code http://}),
 * {@code https://host/prefix/} (a tree read from the server's HTML index pages, or with
 * {@code http.listing = none} found name by name), {@code file:/path}
 * or a plain path (a directory: the whole directory). The format comes from the name (see
 * {@link ArchiveFormat}), or from a {@code #FORMAT} after it ({@code s3://bucket/lib.aar#zip}),
 * which then belongs to the artifact's URI: the same object read as another format is another
 * artifact.
 *
 * <p>A compressed tar keeps its entries in {@code scratch} between the index pass and their use
 * (a store's tmp/ directory, say).
 */
public final class Artifacts {
    private static final String S3 = "s3://";

    /**
     * A source string taken apart: where the artifact is (an S3 bucket, an HTTP origin or a local
     * path), its key there, and the format it names, if any.
     */
    private record Source(String text, String bucket, URI origin, String key, Path path,
            Optional<ArchiveFormat> named, String uriSuffix) {

        static Source parse(String source) {
            int hash = source.lastIndexOf('#');
            Optional<ArchiveFormat> named = hash < 0 ? Optional.empty() : ArchiveFormat.labelled(source.substring(hash + 1));
            String location = named.isPresent() ? source.substring(0, hash) : source;
            String uriSuffix = named.isPresent() ? source.substring(hash) : "";
            if (HttpObjectStore.isHttp(location)) {
                URI url = HttpObjectStore.parse(source, location);
                return new Source(source, null, HttpObjectStore.origin(url), HttpObjectStore.key(url), null, named,
                        uriSuffix);
            }
            if (!location.startsWith(S3)) {
                Path path = Path.of(location.startsWith("file:") ? URI.create(location).getPath() : location)
                        .toAbsolutePath().normalize();
                return new Source(source, null, null, null, path, named, uriSuffix);
            }
            // not URI parsing: a key is any text, '#', '?' and '%' included
            int slash = location.indexOf('/', S3.length());
            String bucket = location.substring(S3.length(), slash < 0 ? location.length() : slash);
            if (bucket.isEmpty()) {
                throw new BadSourceException("source " + source + " names no bucket: use s3://BUCKET/KEY");
            }
            return new Source(source, bucket, null, slash < 0 ? "" : location.substring(slash + 1), null, named,
                    uriSuffix);
        }

        boolean isRemote() {
            return path == null;
        }

        boolean isPrefix() {
            return isRemote() ? key.isEmpty() || key.endsWith("/") : Files.isDirectory(path);
        }

        /** The object's name, for its format: the key, or the local file's name. */
        String name() {
            return isRemote() ? key : path.getFileName().toString();
        }

        /** The artifact's URI, as the store it is read from names it. */
        String uri() {
            if (bucket != null) {
                return S3 + bucket + "/" + key + uriSuffix;
            }
            return (origin != null ? HttpObjectStore.uri(origin, key) : "file:" + path) + uriSuffix;
        }
    }

    private Artifacts() {
    }

    public static ArtifactReader open(String source, FetchOptions options, Path scratch) throws IOException {
        Source parsed = Source.parse(source);
        if (parsed.bucket() == null && parsed.origin() == null && !parsed.isPrefix()
                && !Files.isRegularFile(parsed.path())) {
            throw new java.nio.file.NoSuchFileException(parsed.path().toString(), null, "no such artifact");
        }
        return open(objectStore(parsed, options), objectKey(parsed), parsed, options, scratch);
    }

    /**
     * Builds the seek index of a tar.gz or tar.zst source, with one pass over it, as {@code options} say
     * (keeping it in a store's directory, if they name one); with {@code publish}, stores it
     * beside the archive too, where mounts of the archive on any store look for it.
     */
    public static SeekIndexes.Built buildSeekIndex(String source, FetchOptions options, boolean publish)
            throws IOException {
        Source parsed = Source.parse(source);
        Optional<SeekCodec> codec = parsed.isPrefix() ? Optional.empty()
                : parsed.named().or(() -> ArchiveFormat.ofName(parsed.name())).flatMap(SeekCodec::of);
        if (codec.isEmpty()) {
            throw new BadSourceException("source " + source + ": seek indexes are built for tar.gz and tar.zst"
                    + " archives (named .tar.gz, .tgz, .tar.zst or .tzst, or with #tar.gz or #tar.zst after the name)");
        }
        ObjectStore store = objectStore(parsed, options);
        try (RangeReader reader = new RangeReader(store, options.retry(), options.parallelism())) {
            String key = objectKey(parsed);
            return SeekIndexes.build(reader, store.stat(key), store.uri(key) + parsed.uriSuffix(), options.limits(),
                    codec.get(), options.seekIndexes(), publish);
        }
    }

    /** The store the source is in: its bucket, its web origin, or the directory the file is in (or that is the prefix). */
    private static ObjectStore objectStore(Source parsed, FetchOptions options) throws IOException {
        if (parsed.bucket() != null) {
            return new S3ObjectStore(options.s3(), parsed.bucket());
        }
        if (parsed.origin() != null) {
            return new HttpObjectStore(parsed.origin(), options.http());
        }
        return new LocalObjectStore(parsed.isPrefix() ? parsed.path() : parsed.path().getParent());
    }

    private static String objectKey(Source parsed) {
        if (parsed.bucket() != null || parsed.origin() != null) {
            return parsed.key();
        }
        return parsed.isPrefix() ? "" : parsed.path().getFileName().toString();
    }

    /** The URI under which {@link #open} names the source's artifact, without a request. */
    public static String uri(String source) {
        return Source.parse(source).uri();
    }

    /**
     * Refuses what {@link #open} would refuse for the source's form alone, without a request: an
     * S3 source without a bucket, an object of no known format. A local path that is not there
     * passes (a mount then serves the version imported before).
     */
    public static void check(String source) {
        Source parsed = Source.parse(source);
        boolean object = parsed.isRemote() ? !parsed.isPrefix() : Files.isRegularFile(parsed.path());
        if (object && parsed.named().or(() -> ArchiveFormat.ofName(parsed.name())).isEmpty()) {
            throw new BadSourceException("source " + source + ": " + unknownFormat());
        }
    }

    private static String unknownFormat() {
        return "unknown artifact format: thawfs mounts " + ArchiveFormat.allSuffixes() + " files and whole"
                + " prefixes (end the source with /); for an archive named otherwise, say its format after"
                + " the name: " + ArchiveFormat.allLabels() + " (s3://bucket/lib.bin#zip)";
    }

    private static ArtifactReader open(ObjectStore store, String key, Source source, FetchOptions options, Path scratch)
            throws IOException {
        Optional<ArchiveFormat> named = source.named();
        String uriSuffix = source.uriSuffix();
        RangeReader reader = new RangeReader(store, options.retry(), options.parallelism());
        ArchiveLimits limits = options.limits();
        try {
            String uri = store.uri(key) + uriSuffix;
            if (source.isPrefix()) {
                if (named.isPresent()) {
                    throw new BadArtifactException(uri, null, "a prefix is a tree of objects, not one archive: "
                            + uriSuffix + " can only follow an object's name");
                }
                return store instanceof HttpObjectStore origin && options.http().listing() == HttpListing.NONE
                        ? new PrefixArtifact(reader, origin, key, limits, options.http().negativeTtl())
                        : new PrefixArtifact(reader, key, limits);
            }
            ObjectInfo object = store.stat(key);
            ArchiveFormat format = named.or(() -> ArchiveFormat.ofName(key))
                    .orElseThrow(() -> new BadArtifactException(uri, null, unknownFormat()));
            if (format == ArchiveFormat.ZIP) {
                return new ZipArtifact(reader, object, uri, limits);
            }
            Optional<SeekCodec> seekable = SeekCodec.of(format);
            if (seekable.isPresent()) {
                return SeekIndexes.open(reader, object, uri, limits, seekable.get(), options.seekIndexes(), scratch);
            }
            return new TarArtifact(reader, object, uri, limits, format.compression, scratch);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
