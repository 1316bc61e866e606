package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;

/** A local directory as an object store: keys are relative paths; the embedded default. */
public final class LocalObjectStore implements ObjectStore {
    private final Path root;

    public LocalObjectStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    private Path path(String key) {
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root)) {
            throw new IllegalArgumentException("key " + key + " leaves " + root);
        }
        return path;
    }

    @Override
    public String uri(String key) {
        return "file:" + path(key);
    }

    @Override
    public ObjectInfo stat(String key) throws IOException {
        return info(key, Files.readAttributes(path(key), BasicFileAttributes.class));
    }

    private static ObjectInfo info(String key, BasicFileAttributes attributes) {
        long mtime = attributes.lastModifiedTime().toMillis();
        return new ObjectInfo(key, attributes.size(), "size=" + attributes.size() + ",mtime="
                + attributes.lastModifiedTime().toInstant(), mtime);
    }

    @Override
    public InputStream read(ObjectInfo object, long offset, long length) throws IOException {
        if (!stat(object.key()).identity().equals(object.identity())) {
            throw new ObjectChangedException(uri(object.key()), object.identity());
        }
        FileChannel channel = FileChannel.open(path(object.key()));
        channel.position(offset);
        return new BoundedInputStream(Channels.newInputStream(channel), length);
    }

    /** Written beside and renamed into place: a reader sees the old content or the new, never a part. */
    @Override
    public void write(String key, byte[] content) throws IOException {
        Path target = path(key);
        Path part = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".part");
        try {
            Files.write(part, content);
            Files.setPosixFilePermissions(part, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(part, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    @Override
    public Iterator<ObjectInfo> list(String prefix) throws IOException {
        Path base = path(prefix);
        if (!Files.isDirectory(base)) {
            return java.util.Collections.emptyIterator();
        }
        // The walk closes each directory once it has been read through.
        return Files.walk(base).map(path -> {
            try {
                BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
                        LinkOption.NOFOLLOW_LINKS);
                return attributes.isRegularFile() ? info(root.relativize(path).toString(), attributes) : null;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).filter(java.util.Objects::nonNull).iterator();
    }

    @Override
    public void close() {
    }
}
