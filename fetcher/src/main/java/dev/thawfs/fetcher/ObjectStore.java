package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;

/**
 * Where artifacts live: S3 (or an S3-compatible store) or a local directory. Reads are ranged and
 * pinned to the identity seen when the object was indexed.
 */
public interface ObjectStore extends AutoCloseable {

    /** The object's URI, for messages and as part of an artifact's identity. */
    String uri(String key);

    /** Size and identity of an object; {@link java.nio.file.NoSuchFileException} if there is none. */
    ObjectInfo stat(String key) throws IOException;

    /**
     * Bytes [offset, offset + length) of the object as it was at {@code object.identity()};
     * {@link ObjectChangedException} if it was replaced since.
     */
    InputStream read(ObjectInfo object, long offset, long length) throws IOException;

    /**
     * Every object whose key starts with {@code prefix}, fetched lazily page by page, so a
     * prefix of millions of objects is listed in bounded memory. The order is the store's own.
     */
    Iterator<ObjectInfo> list(String prefix) throws IOException;

    /** Stores {@code content} as the object {@code key}, replacing any there (a seek index published beside its archive). */
    void write(String key, byte[] content) throws IOException;

    @Override
    void close();
}
