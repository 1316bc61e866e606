package dev.thawfs.store;

import dev.thawfs.fetcher.ArtifactReader;
import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fetcher as the store's content source: imports artifacts from their readers and fetches an
 * entry's bytes through the reader of the artifact it belongs to.
 */
public final class FetcherSource implements ContentSource, AutoCloseable {
    private final Map<Long, ArtifactReader> readers = new ConcurrentHashMap<>();

    /** Imports (or finds, if this identity is already imported) the artifact and serves its content. */
    public Artifact importArtifact(Store store, ArtifactReader reader) {
        Artifact artifact = store.importArtifact(reader.uri(), reader.identity(), treeEntries(reader));
        readers.put(artifact.id(), reader);
        return artifact;
    }

    private static Iterator<TreeEntry> treeEntries(ArtifactReader reader) {
        Iterator<IndexEntry> index;
        try {
            index = reader.index();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return index.hasNext();
            }

            @Override
            public TreeEntry next() {
                IndexEntry e = index.next();
                NodeType type = switch (e.type()) {
                    case DIRECTORY -> NodeType.DIRECTORY;
                    case SYMLINK -> NodeType.SYMLINK;
                    case FILE, HARD_LINK -> NodeType.FILE;
                };
                return new TreeEntry(e.path(), type, e.mode(), e.size(), e.mtimeSec(), e.mtimeNsec(), e.linkTarget(),
                        e.type() == EntryType.HARD_LINK ? e.hardLinkTarget() : null, e.locator());
            }
        };
    }

    @Override
    public void copy(Artifact artifact, Node node, WritableByteChannel target) throws IOException {
        ArtifactReader reader = readers.get(artifact.id());
        if (reader == null) {
            throw new IOException(artifact.uri() + " is not reachable in this session (it was mounted offline)");
        }
        reader.extract(node.locator(), node.size(), Channels.newOutputStream(target));
    }

    @Override
    public void close() {
        readers.values().forEach(ArtifactReader::close);
    }
}
