package dev.thawfs.fetcher;

import dev.thawfs.config.BadEntryPolicy;

/** An artifact that is one object (an archive): its identity is the object's. */
abstract class ObjectArtifact implements ArtifactReader {
    protected final RangeReader reader;
    protected final ObjectInfo object;
    protected final ArchiveLimits limits;
    protected final String uri;

    ObjectArtifact(RangeReader reader, ObjectInfo object, String uri, ArchiveLimits limits) {
        this.reader = reader;
        this.object = object;
        this.limits = limits;
        this.uri = uri;
    }

    @Override
    public String uri() {
        return uri;
    }

    @Override
    public String identity() {
        return object.identity();
    }

    @Override
    public BadEntryPolicy onBadEntry() {
        return limits.onBadEntry();
    }

    @Override
    public FetchCounters counters() {
        return reader.counters();
    }

    @Override
    public void close() {
        reader.close();
    }
}
