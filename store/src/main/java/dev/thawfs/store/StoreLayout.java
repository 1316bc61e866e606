package dev.thawfs.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The directories of a store ({@code index/}, {@code blobs/xx/yy/}, {@code tmp/}, {@code native/},
 * {@code seek-indexes/}), mode 0700, and
 * the lock that lets one process own the store at a time.
 */
final class StoreLayout implements AutoCloseable {
    private static final String OPERATION_NOT_PERMITTED = "Operation not permitted";
    private static final HexFormat HEX = HexFormat.of();

    final Path root;
    final Path index;
    final Path blobs;
    final Path tmp;
    final Path nativeLibraries;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private StoreLayout(Path root, FileChannel lockChannel, FileLock lock) {
        this.root = root;
        this.index = root.resolve("index");
        this.blobs = root.resolve("blobs");
        this.tmp = tmp(root);
        this.nativeLibraries = root.resolve("native");
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /** Seek indexes of tar.gz archives, written by whoever builds one (replaced atomically, never locked). */
    static Path seekIndexes(Path root) {
        return root.resolve("seek-indexes");
    }

    /** Scratch space: emptied whenever the store is opened. */
    static Path tmp(Path root) {
        return root.resolve("tmp");
    }

    static StoreLayout open(Path root) {
        try {
            Files.createDirectories(root);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
            FileChannel channel = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldByThisProcess) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new StoreException("the store " + root + " is in use by another thawfs process: stop it"
                        + " (thawfs unmount) or give this one another store directory");
            }
            StoreLayout layout = new StoreLayout(root, channel, lock);
            Files.createDirectories(layout.blobs);
            Files.createDirectories(layout.tmp);
            layout.clearTmp();
            return layout;
        } catch (AccessDeniedException e) {
            throw notThisUsers(root, e);
        } catch (FileSystemException e) {
            if (OPERATION_NOT_PERMITTED.equals(e.getReason())) { // chmod of a directory another user owns
                throw notThisUsers(root, e);
            }
            throw new StoreException("cannot open the store directory " + root + ": " + e, e);
        } catch (IOException e) {
            throw new StoreException("cannot open the store directory " + root + ": " + e, e);
        }
    }

    private static StoreException notThisUsers(Path root, IOException e) {
        return new StoreException("cannot open the store directory " + root + ": permission denied. thawfs must run"
                + " as root, or use a store directory of this user's (--store)", e);
    }

    /** Scratch left by a process that died is garbage: nothing in tmp/ is ever referenced. */
    private void clearTmp() throws IOException {
        try (Stream<Path> leftovers = Files.walk(tmp)) {
            for (Path leftover : (Iterable<Path>) leftovers.sorted(Comparator.reverseOrder())::iterator) {
                if (!leftover.equals(tmp)) {
                    Files.deleteIfExists(leftover);
                }
            }
        }
    }

    /**
     * blobs/xx/yy/id: 65536 directories keep each one small whatever the count. Built by hand:
     * every open asks, and String.format parses its pattern each time.
     */
    Path blobPath(long blobId) {
        return blobs.resolve(HEX.toHexDigits((byte) blobId) + '/' + HEX.toHexDigits((byte) (blobId >>> 8)) + '/'
                + HEX.toHexDigits(blobId));
    }

    @Override
    public void close() {
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException ignored) {
            // the lock goes with the process anyway
        }
    }
}
