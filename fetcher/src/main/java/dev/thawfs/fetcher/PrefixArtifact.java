package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A whole prefix (an S3 "directory" or a local directory) as an artifact: each object a file,
 * directories from '/'. Its identity covers every object's own, so a changed object makes a new
 * artifact; each read is pinned to the object's identity as listed.
 */
final class PrefixArtifact implements ArtifactReader {
    private final RangeReader reader;
    private final String prefix;
    private final List<ObjectInfo> objects;
    private final String identity;

    PrefixArtifact(RangeReader reader, String prefix, ArchiveLimits limits) throws IOException {
        this.reader = reader;
        this.prefix = prefix;
        this.objects = reader.store().list(prefix);
        if (objects.size() > limits.maxEntries()) {
            throw new BadArtifactException(uri(), null, "more than " + limits.maxEntries() + " objects");
        }
        this.identity = identityOf(objects);
    }

    /** A digest of every key, size and identity: equal listings, equal identity. */
    private static String identityOf(List<ObjectInfo> objects) {
        try {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            for (ObjectInfo object : objects) {
                digest.update((object.key() + '\0' + object.size() + '\0' + object.identity() + '\n')
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return "listing-sha256:" + java.util.HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String uri() {
        return reader.store().uri(prefix);
    }

    @Override
    public String identity() {
        return identity;
    }

    @Override
    public FetchCounters counters() {
        return reader.counters();
    }

    @Override
    public Iterator<IndexEntry> index() throws IOException {
        List<IndexEntry> entries = new ArrayList<>(objects.size());
        for (ObjectInfo object : objects) {
            String relative = object.key().substring(prefix.length());
            if (relative.isEmpty() || relative.endsWith("/")) {
                continue; // a "directory marker" object
            }
            entries.add(new IndexEntry(EntryPaths.normalize(uri(), relative), EntryType.FILE, 0644, object.size(),
                    Math.floorDiv(object.mtimeMillis(), 1000), (int) Math.floorMod(object.mtimeMillis(), 1000) * 1_000_000,
                    null, null, Locators.object(object.key(), object.identity())));
        }
        return entries.iterator();
    }

    @Override
    public void extract(byte[] locator, long size, OutputStream out) throws IOException {
        String[] keyAndIdentity = Locators.object(locator, uri());
        reader.copy(new ObjectInfo(keyAndIdentity[0], size, keyAndIdentity[1], 0), 0, size, out);
    }

    @Override
    public void close() {
        reader.close();
    }
}
