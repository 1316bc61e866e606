package dev.thawfs.store;

import dev.thawfs.fetcher.ArtifactReader;
import dev.thawfs.fetcher.EntryFinder;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The fetcher as the store's content source: imports artifacts from their readers and fetches an
 * entry's bytes through the reader of the artifact it belongs to.
 */
public final class FetcherSource implements ContentSource, AutoCloseable {
    private final Map<Long, ArtifactReader> readers = new ConcurrentHashMap<>();
    private final LatencyHistogram fetchLatency = new LatencyHistogram();

    /**
     * Imports the artifact and serves its content; a version imported before is found without
     * reading its index again, so a remount costs one request per artifact.
     */
    public Artifact importArtifact(Store store, ArtifactReader reader) throws IOException {
        Optional<Artifact> imported = store.artifact(reader.uri(), reader.identity());
        Artifact artifact = imported.isPresent() ? imported.get()
                : store.importArtifact(reader.uri(), reader.identity(), reader.index(), reader.onBadEntry());
        readers.put(artifact.id(), reader);
        return artifact;
    }

    @Override
    public void copy(Artifact artifact, Node node, WritableByteChannel target) throws IOException {
        ArtifactReader reader = readers.get(artifact.id());
        if (reader == null) {
            throw new IOException(artifact.uri() + " is not reachable in this session (it was mounted offline)");
        }
        long start = System.nanoTime();
        try {
            reader.extract(node.locator(), node.size(), Channels.newOutputStream(target));
        } finally {
            fetchLatency.record(System.nanoTime() - start);
        }
    }

    /** How long fetching one file's content took, failed fetches included. */
    public LatencyHistogram fetchLatency() {
        return fetchLatency;
    }

    @Override
    public void expect(List<Node> files) {
        Map<Long, List<byte[]>> byArtifact = files.stream().filter(Node::isFile).collect(
                Collectors.groupingBy(Node::artifactId, Collectors.mapping(Node::locator, Collectors.toList())));
        byArtifact.forEach((artifactId, locators) -> {
            ArtifactReader reader = readers.get(artifactId);
            if (reader != null) {
                reader.expect(locators);
            }
        });
    }

    @Override
    public Optional<EntryFinder> byName(Artifact artifact) {
        ArtifactReader reader = readers.get(artifact.id());
        return reader == null ? Optional.empty() : reader.byName();
    }

    /** Requests, bytes, retries and failures to the object stores, summed over the artifacts. */
    public FetchTotals counters() {
        FetchTotals sums = FetchTotals.NONE;
        for (ArtifactReader reader : readers.values()) {
            sums = sums.plus(reader.counters());
        }
        return sums;
    }

    @Override
    public void close() {
        readers.values().forEach(ArtifactReader::close);
    }
}
