package dev.thawfs.fs.mirror;

import dev.thawfs.fs.engine.Backings;
import dev.thawfs.fs.engine.DirectoryStream;
import dev.thawfs.fs.engine.FuseFilesystem;
import dev.thawfs.fs.engine.FuseRequest;
import dev.thawfs.fs.engine.HandleTable;
import dev.thawfs.fs.engine.KernelConnection;
import dev.thawfs.fs.kernel.Errno;
import dev.thawfs.fs.kernel.ErrnoException;
import dev.thawfs.fs.kernel.NativeFiles;
import dev.thawfs.fs.proto.Entry;
import dev.thawfs.fs.proto.FileAttributes;
import dev.thawfs.fs.proto.OpenFlags;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A read-only mirror of a local directory: the smallest real filesystem on the engine, kept as a
 * test fixture and a benchmark baseline. Opens use per-open passthrough when the kernel allows
 * it (one backing id per inode, shared by concurrent opens, closed after the last release), and
 * are served from the source file with the page cache kept otherwise.
 */
public final class MirrorFilesystem implements FuseFilesystem {
    /** The source may change under the mirror, so the kernel re-checks names and attributes often. */
    static final long VALIDITY_NANOS = TimeUnit.SECONDS.toNanos(1);
    static final String STATE_XATTR = "user.thawfs.state";
    private static final long ROOT_ID = 1;

    private final Path source;
    private final Map<Long, MirrorNode> nodes = new ConcurrentHashMap<>();
    private final Map<Path, MirrorNode> nodesByPath = new ConcurrentHashMap<>();
    private final AtomicLong nextId = new AtomicLong(ROOT_ID + 1);
    private final HandleTable<OpenFile> files = new HandleTable<>();
    private final HandleTable<DirectoryStream<String>> directories = new HandleTable<>();
    private final Backings backings = new Backings();
    private volatile KernelConnection kernel;

    /** An open file: served by the kernel from the backing file (channel null) or by us from the channel. */
    private record OpenFile(MirrorNode node, FileChannel channel) {
    }

    public MirrorFilesystem(Path source) {
        this.source = source.toAbsolutePath().normalize();
        nodes.put(ROOT_ID, new MirrorNode(ROOT_ID, this.source));
    }

    @Override
    public void init(KernelConnection kernel) {
        this.kernel = kernel;
    }

    @Override
    public boolean supportsReaddirplus() {
        return true;
    }

    @Override
    public void lookup(FuseRequest request, long parent, String name) {
        MirrorNode directory = nodes.get(parent);
        if (directory == null) {
            request.replyError(Errno.ENOENT);
            return;
        }
        Path path = directory.path.resolve(name);
        try {
            FileAttributes attributes = NativeFiles.lstat(path);
            request.replyEntry(Entry.of(reference(path).id, attributes, VALIDITY_NANOS, VALIDITY_NANOS));
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT) {
                request.replyEntry(Entry.of(0, null, VALIDITY_NANOS, 0)); // cached "no such name"
            } else {
                request.replyError(e.errno());
            }
        }
    }

    /** The node for {@code path} with one more kernel reference. */
    private MirrorNode reference(Path path) {
        while (true) {
            MirrorNode node = nodesByPath.computeIfAbsent(path, p -> {
                MirrorNode created = new MirrorNode(nextId.getAndIncrement(), p);
                nodes.put(created.id, created);
                return created;
            });
            if (node.reference()) {
                return node;
            }
            nodesByPath.remove(path, node); // forgotten a moment ago: replace it
        }
    }

    @Override
    public void forget(long nodeid, long lookups) {
        MirrorNode node = nodes.get(nodeid);
        if (node != null && nodeid != ROOT_ID && node.forget(lookups)) {
            nodes.remove(nodeid, node);
            nodesByPath.remove(node.path, node);
        }
    }

    @Override
    public void getattr(FuseRequest request, long nodeid) {
        MirrorNode node = nodes.get(nodeid);
        if (node == null) {
            request.replyError(Errno.ENOENT);
            return;
        }
        try {
            request.replyAttributes(NativeFiles.lstat(node.path), VALIDITY_NANOS);
        } catch (ErrnoException e) {
            request.replyError(e.errno());
        }
    }

    @Override
    public void open(FuseRequest request, long nodeid, int flags) {
        MirrorNode node = nodes.get(nodeid);
        if (node == null) {
            request.replyError(Errno.ENOENT);
            return;
        }
        int backingId = backings.acquire(kernel, nodeid, node.path);
        if (backingId > 0) {
            request.replyOpen(files.add(new OpenFile(node, null)), OpenFlags.PASSTHROUGH, backingId);
            return;
        }
        if (backingId < 0) {
            request.replyError(-backingId);
            return;
        }
        try {
            FileChannel channel = FileChannel.open(node.path, StandardOpenOption.READ);
            request.replyOpen(files.add(new OpenFile(node, channel)), OpenFlags.KEEP_CACHE, 0);
        } catch (IOException e) {
            request.replyError(errnoOf(e));
        }
    }

    @Override
    public void read(FuseRequest request, long nodeid, long fh, long offset, int size) {
        OpenFile file = files.get(fh);
        if (file == null || file.channel() == null) {
            request.replyError(Errno.EBADF);
            return;
        }
        try {
            request.replyRead(file.channel(), offset, size, file.channel().size()); // a live directory: as it is now
        } catch (IOException e) {
            request.replyError(errnoOf(e));
        }
    }

    @Override
    public void release(long nodeid, long fh) {
        OpenFile file = files.remove(fh);
        if (file == null) {
            return;
        }
        if (file.channel() == null) {
            backings.release(kernel, nodeid);
            return;
        }
        try {
            file.channel().close();
        } catch (IOException ignored) {
            // a read-only channel has nothing to flush
        }
    }

    @Override
    public void opendir(FuseRequest request, long nodeid, int flags) {
        MirrorNode node = nodes.get(nodeid);
        if (node == null) {
            request.replyError(Errno.ENOENT);
        } else if (!Files.isDirectory(node.path, LinkOption.NOFOLLOW_LINKS)) {
            request.replyError(Files.exists(node.path, LinkOption.NOFOLLOW_LINKS) ? Errno.ENOTDIR : Errno.ENOENT);
        } else {
            request.replyOpen(directories.add(new DirectoryStream<>(new Listing(node.path))), 0, 0);
        }
    }

    @Override
    public void readdir(FuseRequest request, long nodeid, long fh, long offset, int size) {
        list(request, fh, offset, size, false);
    }

    @Override
    public void readdirplus(FuseRequest request, long nodeid, long fh, long offset, int size) {
        list(request, fh, offset, size, true);
    }

    private void list(FuseRequest request, long fh, long offset, int size, boolean plus) {
        DirectoryStream<String> stream = directories.get(fh);
        if (stream == null) {
            request.replyError(Errno.EBADF);
        } else {
            stream.answer(request, offset, size, plus);
        }
    }

    /**
     * A source directory listed by name as it is at each page: names that appear meanwhile show up
     * if they sort after the cursor, names that vanish are left out.
     */
    private final class Listing implements DirectoryStream.Entries<String> {
        private final Path directory;

        Listing(Path directory) {
            this.directory = directory;
        }

        @Override
        public List<String> after(String name, int max) {
            TreeSet<String> names = new TreeSet<>();
            try (java.nio.file.DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
                for (Path child : children) {
                    String childName = child.getFileName().toString();
                    if (childName.compareTo(name) > 0) {
                        names.add(childName);
                        if (names.size() > max) {
                            names.pollLast();
                        }
                    }
                }
            } catch (IOException e) {
                return List.of(); // the directory went away: it ends here
            }
            return new ArrayList<>(names);
        }

        @Override
        public String name(String entry) {
            return entry;
        }

        @Override
        public FileAttributes attributes(String name) {
            try {
                return NativeFiles.lstat(directory.resolve(name));
            } catch (ErrnoException vanished) {
                return null;
            }
        }

        @Override
        public Entry expose(String name) {
            Path path = directory.resolve(name);
            FileAttributes attributes = attributes(name);
            return attributes == null ? null
                    : Entry.of(reference(path).id, attributes, VALIDITY_NANOS, VALIDITY_NANOS);
        }

        @Override
        public void forget(long nodeid) {
            MirrorFilesystem.this.forget(nodeid, 1);
        }
    }

    @Override
    public void releasedir(long nodeid, long fh) {
        directories.remove(fh);
    }

    @Override
    public void statfs(FuseRequest request, long nodeid) {
        try {
            request.replyStatfs(NativeFiles.statfs(source));
        } catch (ErrnoException e) {
            request.replyError(e.errno());
        }
    }

    @Override
    public void readlink(FuseRequest request, long nodeid) {
        MirrorNode node = nodes.get(nodeid);
        if (node == null) {
            request.replyError(Errno.ENOENT);
            return;
        }
        try {
            request.replyData(Files.readSymbolicLink(node.path).toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            request.replyError(errnoOf(e));
        }
    }

    /** {@code user.thawfs.state}: "passthrough" while the kernel holds the file's backing, else "materialized". */
    @Override
    public void getxattr(FuseRequest request, long nodeid, String name, int size) {
        MirrorNode node = nodes.get(nodeid);
        if (node == null || !name.equals(STATE_XATTR) || !Files.isRegularFile(node.path, LinkOption.NOFOLLOW_LINKS)) {
            request.replyError(Errno.ENODATA);
            return;
        }
        String state = backings.attached(nodeid) ? "passthrough" : "materialized";
        request.replyXattr(state.getBytes(StandardCharsets.US_ASCII), size);
    }

    @Override
    public void listxattr(FuseRequest request, long nodeid, int size) {
        MirrorNode node = nodes.get(nodeid);
        boolean regular = node != null && Files.isRegularFile(node.path, LinkOption.NOFOLLOW_LINKS);
        request.replyXattr(regular ? (STATE_XATTR + "\0").getBytes(StandardCharsets.US_ASCII) : new byte[0], size);
    }

    /** The errno that a failed NIO call stands for. */
    static int errnoOf(IOException e) {
        if (e instanceof NoSuchFileException) {
            return Errno.ENOENT;
        }
        if (e instanceof AccessDeniedException) {
            return Errno.EACCES;
        }
        if (e instanceof NotDirectoryException) {
            return Errno.ENOTDIR;
        }
        return Errno.EIO;
    }
}
