package dev.thawfs.store;

import dev.thawfs.fetcher.EntryFinder;
import java.io.IOException;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Optional;

/** Where materialization gets an entry's bytes: the fetcher, for the artifact the node belongs to. */
@FunctionalInterface
public interface ContentSource {

    /**
     * Writes the whole content of {@code node} to {@code target}, in order, verifying what the
     * format allows (a CRC, a digest); throws if the bytes are not the entry's.
     */
    void copy(Artifact artifact, Node node, WritableByteChannel target) throws IOException;

    /**
     * The files about to be materialized, so that a source able to fetch neighbouring entries in
     * one request does. A hint: it fetches nothing by itself.
     */
    default void expect(List<Node> files) {
    }

    /** For an artifact whose entries are found by path rather than listed, how to find them; else empty. */
    default Optional<EntryFinder> byName(Artifact artifact) {
        return Optional.empty();
    }
}
