package dev.thawfs.fetcher;

import java.io.IOException;

/** The object was replaced since it was indexed: its bytes would not match the index any more. */
public final class ObjectChangedException extends IOException {
    public ObjectChangedException(String uri, String identity) {
        super(uri + " changed since it was indexed (expected " + identity + "): remount to index the new version");
    }
}
