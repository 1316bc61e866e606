package dev.thawfs.fetcher;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens an artifact from a source string: {@code s3://bucket/key}, {@code s3://bucket/prefix/}
 * (a trailing slash: the whole prefix), {@code file:/path} or a plain path (a directory: the
 * whole directory). The format comes from the name: .zip .jar .whl .war, .tar, .tar.gz .tgz,
 * .tar.zst.
 *
 * <p>A compressed tar keeps its entries in {@code scratch} between the index pass and their use
 * (a store's tmp/ directory, say).
 */
public final class Artifacts {
    private static final String UNKNOWN_FORMAT = "unknown artifact format: thawfs mounts .zip .jar .whl .war .tar"
            + " .tar.gz .tgz .tar.zst files and whole prefixes (end the source with /)";

    private enum Format { ZIP, TAR, TAR_GZ, TAR_ZST }

    private Artifacts() {
    }

    public static ArtifactReader open(String source, FetchOptions options, Path scratch) throws IOException {
        if (source.startsWith("s3://")) {
            String key = s3Key(source);
            return open(new S3ObjectStore(options.s3(), s3Bucket(source)), key, isPrefix(key), options, scratch);
        }
        Path path = localPath(source);
        if (Files.isDirectory(path)) {
            return open(new LocalObjectStore(path), "", true, options, scratch);
        }
        if (!Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such artifact");
        }
        return open(new LocalObjectStore(path.getParent()), path.getFileName().toString(), false, options, scratch);
    }

    /**
     * Refuses what {@link #open} would refuse for the source's form alone, without a request: an
     * S3 source without a bucket, a name of no known format. A local path that is not there
     * passes (a mount then serves the version imported before).
     */
    public static void check(String source) {
        boolean s3 = source.startsWith("s3://");
        if (s3) {
            s3Bucket(source);
        }
        boolean namedObject = s3 ? !isPrefix(s3Key(source)) : Files.isRegularFile(localPath(source));
        if (namedObject && format(source) == null) {
            throw new IllegalArgumentException("source " + source + ": " + UNKNOWN_FORMAT);
        }
    }

    private static String s3Bucket(String source) {
        String bucket = URI.create(source).getHost();
        if (bucket == null || bucket.isEmpty()) {
            throw new IllegalArgumentException("source " + source + " names no bucket: use s3://BUCKET/KEY");
        }
        return bucket;
    }

    private static String s3Key(String source) {
        return URI.create(source).getPath().replaceFirst("^/", "");
    }

    private static boolean isPrefix(String key) {
        return key.isEmpty() || key.endsWith("/");
    }

    private static Path localPath(String source) {
        return Path.of(source.startsWith("file:") ? URI.create(source).getPath() : source).toAbsolutePath().normalize();
    }

    private static ArtifactReader open(ObjectStore store, String key, boolean prefix, FetchOptions options,
            Path scratch) throws IOException {
        RangeReader reader = new RangeReader(store, options.retry(), options.parallelism());
        ArchiveLimits limits = options.limits();
        try {
            if (prefix) {
                return new PrefixArtifact(reader, key, limits);
            }
            ObjectInfo object = store.stat(key);
            Format format = format(key);
            if (format == null) {
                throw new BadArtifactException(store.uri(key), null, UNKNOWN_FORMAT);
            }
            return switch (format) {
                case ZIP -> new ZipArtifact(reader, object, limits);
                case TAR -> new TarArtifact(reader, object, limits, TarArtifact.Compression.NONE, scratch);
                case TAR_GZ -> new TarArtifact(reader, object, limits, TarArtifact.Compression.GZIP, scratch);
                case TAR_ZST -> new TarArtifact(reader, object, limits, TarArtifact.Compression.ZSTD, scratch);
            };
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    /** The format the name says, or null. */
    private static Format format(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".zip") || lower.endsWith(".jar") || lower.endsWith(".whl") || lower.endsWith(".war")) {
            return Format.ZIP;
        }
        if (lower.endsWith(".tar")) {
            return Format.TAR;
        }
        if (lower.endsWith(".tar.gz") || lower.endsWith(".tgz")) {
            return Format.TAR_GZ;
        }
        return lower.endsWith(".tar.zst") || lower.endsWith(".tzst") ? Format.TAR_ZST : null;
    }
}
