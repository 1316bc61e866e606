package dev.thawfs.fetcher;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Optional;

/**
 * Seek indexes of tar.gz archives: built by one pass over the archive and published beside it
 * ({@code KEY.thawfs-index}); a mount of the archive looks there first and reads it file by file
 * when the index describes this version of it, else streams it whole as without one.
 */
public final class SeekIndexes {
    private static final System.Logger LOG = System.getLogger(SeekIndexes.class.getName());

    /** What {@code thawfs index} built: sizes for its report. */
    public record Built(String archive, long archiveBytes, String index, long indexBytes, int checkpoints,
            int entries, boolean published) {
    }

    private SeekIndexes() {
    }

    static Built build(RangeReader reader, ObjectInfo archive, String uri, ArchiveLimits limits, long spacing,
            boolean publish) throws IOException {
        SeekIndex index = SeekIndexBuilder.build(reader, archive, uri, limits, spacing);
        byte[] encoded = index.encode();
        String key = archive.key() + SeekIndex.SUFFIX;
        if (publish) {
            reader.write(key, encoded);
        }
        return new Built(uri, archive.size(), reader.store().uri(key), encoded.length, index.checkpoints.size(),
                index.entryCount, publish);
    }

    /**
     * The index published beside {@code archive} if it is intact and was built from this version
     * of it; one log line says whether it is used, absent, or why not.
     */
    static Optional<SeekIndex> published(RangeReader reader, ObjectInfo archive, String uri) {
        String key = archive.key() + SeekIndex.SUFFIX;
        String indexUri = reader.store().uri(key);
        try {
            ObjectInfo published = reader.store().stat(key);
            if (published.size() > Integer.MAX_VALUE - 64) {
                throw new SeekIndex.Unusable(published.size() + " bytes, more than an index can be");
            }
            SeekIndex index = SeekIndex.decode(reader.read(published, 0, (int) published.size()));
            index.checkBuiltFrom(archive);
            NativeInflater.checkAvailable();
            LOG.log(System.Logger.Level.INFO, uri + ": seek index " + indexUri + " used (" + index.entryCount
                    + " entries, " + index.checkpoints.size() + " checkpoints): files are fetched one by one");
            return Optional.of(index);
        } catch (NoSuchFileException e) {
            LOG.log(System.Logger.Level.INFO, uri + ": no seek index at " + indexUri + ": the archive is streamed"
                    + " whole (thawfs index --publish builds one)");
        } catch (SeekIndex.Unusable e) {
            LOG.log(System.Logger.Level.WARNING, uri + ": seek index " + indexUri + " not used, " + e.getMessage()
                    + ": the archive is streamed whole (rebuild the index with thawfs index --publish)");
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, uri + ": seek index " + indexUri + " not used, unreadable ("
                    + e.getMessage() + "): the archive is streamed whole");
        }
        return Optional.empty();
    }
}
