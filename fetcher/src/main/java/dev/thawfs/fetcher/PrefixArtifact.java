package dev.thawfs.fetcher;

import dev.thawfs.config.BadEntryPolicy;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;

/**
 * A whole prefix (an S3 "directory" or a local directory) as an artifact: each object a file,
 * directories from '/'. Its identity covers every object's own, so a changed object makes a new
 * artifact; each read is pinned to the object's identity as listed. The listing is streamed
 * twice (identity, then index), never held: a prefix of millions of objects needs no more memory.
 *
 * <p>A prefix found by name (an HTTP origin with {@code http.listing = none}) lists nothing: its
 * index is empty, its identity the same at every mount (so what was found before stays in the
 * store's tree), and its entries are found one path at a time, each pinned to the identity it
 * was found at.
 */
final class PrefixArtifact implements ArtifactReader {
    private static final String BY_NAME = "by-name";

    private final RangeReader reader;
    private final String prefix;
    private final String identity;
    private final BadEntryPolicy onBadEntry;
    private final EntryFinder finder;

    PrefixArtifact(RangeReader reader, String prefix, ArchiveLimits limits) throws IOException {
        this.reader = reader;
        this.prefix = prefix;
        this.onBadEntry = limits.onBadEntry();
        this.identity = identityOf(reader.store().list(prefix), limits);
        this.finder = null;
    }

    /** A prefix of {@code origin} whose objects are found by name, a missing one taken as missing for {@code missingFor}. */
    PrefixArtifact(RangeReader reader, HttpObjectStore origin, String prefix, ArchiveLimits limits, Duration missingFor) {
        this.reader = reader;
        this.prefix = prefix;
        this.onBadEntry = limits.onBadEntry();
        this.identity = BY_NAME;
        this.finder = new EntryFinder() {
            @Override
            public Optional<IndexEntry> find(String path) throws IOException {
                return origin.find(prefix + path).map(found -> entry(path, found));
            }

            @Override
            public Duration missingFor() {
                return missingFor;
            }
        };
    }

    private IndexEntry entry(String path, ObjectInfo found) {
        boolean directory = found.key().endsWith("/");
        return new IndexEntry(path, directory ? EntryType.DIRECTORY : EntryType.FILE, directory ? 0755 : 0644,
                found.size(), Math.floorDiv(found.mtimeMillis(), 1000),
                (int) Math.floorMod(found.mtimeMillis(), 1000) * 1_000_000, null, null,
                directory ? null : Locators.object(found.key(), found.identity()));
    }

    @Override
    public Optional<EntryFinder> byName() {
        return Optional.ofNullable(finder);
    }

    /**
     * The sum (mod 2^256) of a digest of every key, size and identity: equal listings give equal
     * identities whatever order the store lists them in.
     */
    private String identityOf(Iterator<ObjectInfo> objects, ArchiveLimits limits) throws IOException {
        try {
            java.math.BigInteger sum = java.math.BigInteger.ZERO;
            long count = 0;
            while (objects.hasNext()) {
                if (++count > limits.maxEntries()) {
                    throw new BadArtifactException(uri(), null, "more than " + limits.maxEntries() + " objects");
                }
                ObjectInfo object = objects.next();
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest((object.key() + '\0'
                        + object.size() + '\0' + object.identity()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sum = sum.add(new java.math.BigInteger(1, digest));
            }
            return "listing:" + count + ":" + sum.mod(java.math.BigInteger.ONE.shiftLeft(256)).toString(16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
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
    public BadEntryPolicy onBadEntry() {
        return onBadEntry;
    }

    @Override
    public FetchCounters counters() {
        return reader.counters();
    }

    @Override
    public Iterator<IndexEntry> index() throws IOException {
        Iterator<ObjectInfo> objects = finder != null ? java.util.Collections.emptyIterator() : reader.store().list(prefix);
        return new EntryIterator(onBadEntry) {
            @Override
            IndexEntry read() throws BadEntryException {
                while (objects.hasNext()) {
                    ObjectInfo object = objects.next();
                    String relative = object.key().substring(prefix.length());
                    if (relative.isEmpty() || relative.endsWith("/")) {
                        continue; // a "directory marker" object
                    }
                    return entry(EntryPaths.normalize(uri(), relative, false), object);
                }
                return null;
            }
        };
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
