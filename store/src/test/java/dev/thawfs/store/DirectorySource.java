package dev.thawfs.store;

import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.IndexEntry;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/** Test content from a real directory: each entry's locator is its relative path. */
public final class DirectorySource implements ContentSource {
    public final Path root;
    public final AtomicInteger copies = new AtomicInteger();

    public DirectorySource(Path root) {
        this.root = root;
    }

    @Override
    public void copy(Artifact artifact, Node node, WritableByteChannel target) throws IOException {
        copies.incrementAndGet();
        try (FileChannel in = FileChannel.open(root.resolve(new String(node.locator(), StandardCharsets.UTF_8)))) {
            long size = in.size();
            for (long done = 0; done < size; ) {
                done += in.transferTo(done, size - done, target);
            }
        }
    }

    /** The tree below the root as the store imports it. */
    public List<IndexEntry> entries() throws IOException {
        List<IndexEntry> entries = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk.sorted()::iterator) {
                if (path.equals(root)) {
                    continue;
                }
                PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class,
                        java.nio.file.LinkOption.NOFOLLOW_LINKS);
                String relative = root.relativize(path).toString();
                EntryType type = a.isDirectory() ? EntryType.DIRECTORY : a.isSymbolicLink() ? EntryType.SYMLINK : EntryType.FILE;
                int mode = (int) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS) & 07777;
                java.time.Instant mtime = a.lastModifiedTime().toInstant();
                entries.add(new IndexEntry(relative, type, mode, type == EntryType.FILE ? a.size() : 0,
                        mtime.getEpochSecond(), mtime.getNano(),
                        a.isSymbolicLink() ? Files.readSymbolicLink(path).toString() : null, null,
                        relative.getBytes(StandardCharsets.UTF_8)));
            }
        }
        return entries;
    }
}
