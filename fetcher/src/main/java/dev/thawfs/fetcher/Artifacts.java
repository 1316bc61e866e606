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
    private Artifacts() {
    }

    public static ArtifactReader open(String source, FetchOptions options, Path scratch) throws IOException {
        if (source.startsWith("s3://")) {
            URI uri = URI.create(source);
            String bucket = uri.getHost();
            String key = uri.getPath().replaceFirst("^/", "");
            if (bucket == null || bucket.isEmpty()) {
                throw new IllegalArgumentException("source " + source + " names no bucket: use s3://BUCKET/KEY");
            }
            return open(new S3ObjectStore(options.s3(), bucket), key, key.isEmpty() || key.endsWith("/"), options, scratch);
        }
        Path path = Path.of(source.startsWith("file:") ? URI.create(source).getPath() : source).toAbsolutePath().normalize();
        if (Files.isDirectory(path)) {
            return open(new LocalObjectStore(path), "", true, options, scratch);
        }
        if (!Files.isRegularFile(path)) {
            throw new java.nio.file.NoSuchFileException(path.toString(), null, "no such artifact");
        }
        return open(new LocalObjectStore(path.getParent()), path.getFileName().toString(), false, options, scratch);
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
            String name = key.toLowerCase(Locale.ROOT);
            if (name.endsWith(".zip") || name.endsWith(".jar") || name.endsWith(".whl") || name.endsWith(".war")) {
                return new ZipArtifact(reader, object, limits);
            }
            if (name.endsWith(".tar")) {
                return new TarArtifact(reader, object, limits, TarArtifact.Compression.NONE, scratch);
            }
            if (name.endsWith(".tar.gz") || name.endsWith(".tgz")) {
                return new TarArtifact(reader, object, limits, TarArtifact.Compression.GZIP, scratch);
            }
            if (name.endsWith(".tar.zst") || name.endsWith(".tzst")) {
                return new TarArtifact(reader, object, limits, TarArtifact.Compression.ZSTD, scratch);
            }
            throw new BadArtifactException(store.uri(key), null, "unknown artifact format: thawfs mounts .zip .jar .whl"
                    + " .war .tar .tar.gz .tgz .tar.zst files and whole prefixes (end the source with /)");
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }
}
