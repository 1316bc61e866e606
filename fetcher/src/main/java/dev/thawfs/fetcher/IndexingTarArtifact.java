package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Iterator;

/**
 * A tar.gz or tar.zst without a seek index to use: its index pass streams it whole once, as a
 * streamed compressed tar's does (each file's bytes left in the scratch until the store takes them), and builds
 * its seek index on the way, kept in the store; from then on a file fetched again (evicted) is
 * read through that index. Its entries are those of {@link SeekableTarArtifact}: a later mount
 * through the kept index finds the tree imported and the content fetched by this one.
 */
final class IndexingTarArtifact extends ObjectArtifact {
    private static final System.Logger LOG = System.getLogger(IndexingTarArtifact.class.getName());

    private final SeekIndexOptions options;
    private final SeekCodec codec;
    /** Holds the scratch, and extracts sparse files (their locators are those of a streamed tar.gz). */
    private final TarArtifact streamed;
    private final Path scratch;
    private volatile SeekableTarArtifact seekable;

    IndexingTarArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits,
            SeekCodec codec, SeekIndexOptions options, Path scratch) {
        super(reader, object, uri, limits);
        this.codec = codec;
        this.options = options;
        this.scratch = scratch;
        this.streamed = new TarArtifact(reader, object, uri, limits, codec.compression, scratch);
    }

    @Override
    public String identity() {
        return SeekableTarArtifact.identity(object);
    }

    @Override
    public Iterator<IndexEntry> index() throws IOException {
        return SeekIndexBuilder.pass(reader, object, uri, limits, codec, options.spacing(), streamed, this::built);
    }

    private void built(SeekIndex index) {
        seekable = new SeekableTarArtifact(reader, object, uri, limits, index, codec, scratch);
        Path kept = options.localDirectory() == null ? null : SeekIndexes.keep(options.localDirectory(), uri, index);
        LOG.log(System.Logger.Level.INFO, uri + ": seek index built by the index pass (" + index.entryCount
                + " entries, " + index.checkpoints.size() + " checkpoints)" + (kept == null ? "" : ", kept in the"
                + " store (" + kept + ")") + ": " + SeekIndexes.resumability(index, codec));
    }

    @Override
    public void extract(byte[] locator, long size, OutputStream out) throws IOException {
        if (size == 0) {
            return;
        }
        if (locator == null || locator.length == 0 || locator[0] != Locators.SEEKABLE_TAR) {
            streamed.extract(locator, size, out);
            return;
        }
        long dataOffset = Locators.read(locator, Locators.SEEKABLE_TAR, uri).getLong();
        if (!streamed.handOver(SeekableTarArtifact.spillName(dataOffset), out)) {
            seekable().extract(locator, size, out);
        }
    }

    /**
     * The archive read through its index: the one the index pass built, or, when the store had
     * the tree already and this mount made no pass (the index kept was lost or damaged), one
     * built now by a pass that keeps nothing else.
     */
    private SeekableTarArtifact seekable() throws IOException {
        SeekableTarArtifact known = seekable;
        if (known != null) {
            return known;
        }
        synchronized (this) {
            if (seekable == null) {
                built(SeekIndexBuilder.build(reader, object, uri, limits, codec, options.spacing()));
            }
            return seekable;
        }
    }

    @Override
    public void close() {
        streamed.close(); // its scratch; and the reader, shared with the seekable artifact, which holds nothing else
    }
}
