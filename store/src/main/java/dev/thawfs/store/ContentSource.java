package dev.thawfs.store;

import java.io.IOException;
import java.nio.channels.WritableByteChannel;

/** Where materialization gets an entry's bytes: the fetcher, for the artifact the node belongs to. */
@FunctionalInterface
public interface ContentSource {

    /**
     * Writes the whole content of {@code node} to {@code target}, in order, verifying what the
     * format allows (a CRC, a digest); throws if the bytes are not the entry's.
     */
    void copy(Artifact artifact, Node node, WritableByteChannel target) throws IOException;
}
