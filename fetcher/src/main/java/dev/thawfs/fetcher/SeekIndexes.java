package dev.thawfs.fetcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Seek indexes of tar.gz and (multi-frame) tar.zst archives: built by one pass over the archive (a mount's index pass, or
 * {@code thawfs index}), kept in the local store ({@code seek-indexes/}, one file per archive
 * URI) and published beside the archive ({@code KEY.thawfs-index}). A mount uses the kept one,
 * else the published one, while it describes this version of the archive, and reads the archive
 * file by file; else it streams the archive whole once, building one on the way.
 */
public final class SeekIndexes {
    private static final System.Logger LOG = System.getLogger(SeekIndexes.class.getName());

    /** What {@code thawfs index} built: sizes for its report, where it was kept (null: nowhere). */
    public record Built(String archive, long archiveBytes, String index, long indexBytes, int checkpoints,
            int entries, boolean published, Path kept, String reading) {
    }

    private SeekIndexes() {
    }

    static Built build(RangeReader reader, ObjectInfo archive, String uri, ArchiveLimits limits, SeekCodec codec,
            SeekIndexOptions options, boolean publish) throws IOException {
        SeekIndex index = SeekIndexBuilder.build(reader, archive, uri, limits, codec, options.spacing());
        byte[] encoded = index.encode();
        String key = archive.key() + SeekIndex.SUFFIX;
        if (publish) {
            reader.write(key, encoded);
        }
        Path kept = options.localDirectory() == null ? null : write(options.localDirectory(), uri, encoded);
        return new Built(uri, archive.size(), reader.store().uri(key), encoded.length, index.checkpoints.size(),
                index.entryCount, publish, kept, resumability(index, codec));
    }

    /**
     * How files are read through the index: one by one; or, for a zstd archive of a single frame,
     * which decompresses only from its start, streamed from there.
     */
    static String resumability(SeekIndex index, SeekCodec codec) {
        if (codec == SeekCodec.ZSTD && index.checkpoints.size() == 1 && index.archiveSize > index.spacing) {
            return "one zstd frame, which decompresses only from its start: files are streamed from the archive's"
                    + " start (pzstd, or zstd --seekable, writes several frames)";
        }
        return "files are fetched one by one";
    }

    /**
     * A tar.gz or tar.zst, read through the index {@link #choose} finds, else streamed whole once
     * building one; streamed as without an index if the native library both need cannot be loaded.
     */
    static ObjectArtifact open(RangeReader reader, ObjectInfo archive, String uri, ArchiveLimits limits,
            SeekCodec codec, SeekIndexOptions options, Path scratch) {
        try {
            codec.checkAvailable();
        } catch (SeekIndex.Unusable e) {
            LOG.log(System.Logger.Level.WARNING, uri + ": streamed whole, without a seek index: " + e.getMessage());
            return new TarArtifact(reader, archive, uri, limits, codec.compression, scratch);
        }
        Optional<SeekIndex> index = choose(reader, archive, uri, codec, options.localDirectory());
        return index.isPresent() ? new SeekableTarArtifact(reader, archive, uri, limits, index.get(), codec, scratch)
                : new IndexingTarArtifact(reader, archive, uri, limits, codec, options, scratch);
    }

    /**
     * The index to read {@code archive} through: the one kept in the store, else the one
     * published beside it (then kept in the store too), if intact and built from this version of
     * it. One log line says which is used, or that the archive is streamed; one more says why an
     * index found is not used.
     */
    private static Optional<SeekIndex> choose(RangeReader reader, ObjectInfo archive, String uri, SeekCodec codec,
            Path localDirectory) {
        if (localDirectory != null) {
            Path file = localFile(localDirectory, uri);
            try {
                SeekIndex index = usable(Files.readAllBytes(file), archive);
                LOG.log(System.Logger.Level.INFO, uri + ": seek index kept in the store (" + file + ") used ("
                        + index.entryCount + " entries, " + index.checkpoints.size() + " checkpoints): "
                        + resumability(index, codec));
                return Optional.of(index);
            } catch (NoSuchFileException e) {
                // none kept: look for a published one
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, uri + ": seek index kept in the store (" + file + ") not used, "
                        + (e instanceof SeekIndex.Unusable ? e.getMessage() : "unreadable (" + e + ")"));
            }
        }
        Optional<SeekIndex> published = published(reader, archive, uri, codec, localDirectory);
        if (published.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, uri + ": no usable seek index (in the store or at "
                    + reader.store().uri(archive.key() + SeekIndex.SUFFIX) + "): the archive is streamed whole once,"
                    + " building one" + (localDirectory == null ? "" : " (kept in the store)"));
        }
        return published;
    }

    private static Optional<SeekIndex> published(RangeReader reader, ObjectInfo archive, String uri, SeekCodec codec,
            Path localDirectory) {
        String key = archive.key() + SeekIndex.SUFFIX;
        String indexUri = reader.store().uri(key);
        try {
            ObjectInfo published = reader.store().stat(key);
            if (published.size() > Integer.MAX_VALUE - 64) {
                throw new SeekIndex.Unusable(published.size() + " bytes, more than an index can be");
            }
            byte[] encoded = reader.read(published, 0, (int) published.size());
            SeekIndex index = usable(encoded, archive);
            LOG.log(System.Logger.Level.INFO, uri + ": seek index " + indexUri + " used (" + index.entryCount
                    + " entries, " + index.checkpoints.size() + " checkpoints): " + resumability(index, codec));
            if (localDirectory != null) {
                keep(localDirectory, uri, index);
            }
            return Optional.of(index);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (SeekIndex.Unusable e) {
            LOG.log(System.Logger.Level.WARNING, uri + ": seek index " + indexUri + " not used, " + e.getMessage()
                    + " (rebuild it with thawfs index --publish)");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, uri + ": seek index " + indexUri + " not used, unreadable ("
                    + e.getMessage() + ")");
        }
        return Optional.empty();
    }

    private static SeekIndex usable(byte[] encoded, ObjectInfo archive) throws SeekIndex.Unusable {
        SeekIndex index = SeekIndex.decode(encoded);
        index.checkBuiltFrom(archive);
        return index;
    }

    /**
     * Keeps {@code index} in the store for the archive at {@code uri} (replacing one of another
     * version) and returns where; a failure only costs the next mount a pass, so it is logged.
     */
    static Path keep(Path localDirectory, String uri, SeekIndex index) {
        try {
            return write(localDirectory, uri, index.encode());
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, uri + ": its seek index could not be kept in the store: " + e);
            return null;
        }
    }

    private static Path write(Path localDirectory, String uri, byte[] encoded) throws IOException {
        Files.createDirectories(localDirectory);
        Path file = localFile(localDirectory, uri);
        Path partial = Files.createTempFile(localDirectory, ".partial-", SeekIndex.SUFFIX);
        try {
            Files.write(partial, encoded);
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(partial);
        }
        return file;
    }

    /** One file per archive URI: a new version's index replaces the old one's. */
    static Path localFile(Path localDirectory, String uri) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(uri.getBytes(StandardCharsets.UTF_8));
            return localDirectory.resolve(HexFormat.of().formatHex(digest) + SeekIndex.SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
