package dev.thawfs.store;

import dev.thawfs.config.BadEntryPolicy;
import dev.thawfs.fetcher.IndexEntry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.rocksdb.RocksIterator;

/** The store's artifacts: importing one, and finding them by id, by URI and identity, or all. */
final class ArtifactCatalog {
    private final Index index;
    private final IdAllocator ids;

    ArtifactCatalog(Index index, IdAllocator ids) {
        this.index = index;
        this.ids = ids;
    }

    Artifact importArtifact(String uri, String identity, Iterator<IndexEntry> entries, BadEntryPolicy onBadEntry) {
        Optional<Artifact> existing = artifact(uri, identity);
        if (existing.isPresent()) {
            return existing.get();
        }
        Artifact artifact = new Artifact(ids.next(), uri, identity, ids.next(), 0, 0, false);
        return new TreeImporter(index, ids, artifact, onBadEntry).run(entries);
    }

    Optional<Artifact> artifact(String uri, String identity) {
        byte[] id = index.get(index.artifacts, ArtifactKeys.byIdentity(uri, identity));
        return id == null ? Optional.empty() : artifact(RecordCodec.longAt(id, 0)).filter(Artifact::complete);
    }

    Optional<Artifact> latestArtifact(String uri) {
        return artifacts().stream().filter(a -> a.uri().equals(uri)).max(Comparator.comparingLong(Artifact::id));
    }

    Optional<Artifact> artifact(long id) {
        byte[] record = index.get(index.artifacts, ArtifactKeys.byId(id));
        return record == null ? Optional.empty() : Optional.of(Artifact.decode(id, record));
    }

    List<Artifact> artifacts() {
        List<Artifact> all = new ArrayList<>();
        try (RocksIterator it = index.iterator(index.artifacts)) {
            for (it.seek(new byte[] {'I'}); it.isValid() && ArtifactKeys.isRecord(it.key()); it.next()) {
                Artifact artifact = Artifact.decode(RecordCodec.longAt(it.key(), 1), it.value());
                if (artifact.complete()) {
                    all.add(artifact);
                }
            }
        }
        return all;
    }
}
