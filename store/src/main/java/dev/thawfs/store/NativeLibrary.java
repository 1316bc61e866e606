package dev.thawfs.store;

import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.rocksdb.RocksDB;
import org.rocksdb.util.Environment;

/**
 * Loads RocksDB's JNI library from a copy unpacked once into the store. RocksDB's own loader
 * unpacks 17 MB into a new temp file in every process and deletes it only at a normal exit, so
 * every killed daemon left one in /tmp; and a root process should not load code from /tmp anyway.
 */
final class NativeLibrary {
    private static final System.Logger LOG = System.getLogger(NativeLibrary.class.getName());
    private static final String PACKED_NAME = Environment.getJniLibraryFileName("rocksdb");
    /** The name RocksDB.loadLibrary(paths) looks for: not the name the jar packs it under. */
    private static final String LOADED_NAME = Environment.getJniLibraryFileName("rocksdbjni");
    private static boolean loaded;

    private NativeLibrary() {
    }

    /**
     * Loads the library once per process, unpacking it into a directory of {@code directory}
     * named after its checksum unless it is there. Where it cannot be unpacked or loaded from (a
     * full disk must not keep a store from serving what it holds; a noexec mount), RocksDB's
     * loader unpacks a temporary copy.
     */
    static synchronized void load(Path directory, Path scratch) {
        if (loaded) {
            return;
        }
        try {
            URL packed = RocksDB.class.getClassLoader().getResource(PACKED_NAME);
            URLConnection connection = packed == null ? null : packed.openConnection();
            if (connection instanceof JarURLConnection jar) {
                Path version = directory.resolve("rocksdbjni-" + Long.toHexString(jar.getJarEntry().getCrc()));
                unpack(connection, version.resolve(LOADED_NAME), scratch);
                RocksDB.loadLibrary(List.of(version.toString()));
            } else {
                RocksDB.loadLibrary(); // not in a jar (or none for this platform): RocksDB's loader knows
            }
        } catch (IOException | UnsatisfiedLinkError e) { // UnsatisfiedLinkError: the store is on a noexec mount
            LOG.log(System.Logger.Level.WARNING, "cannot use RocksDB's native library in " + directory + " ("
                    + e.getMessage() + "): using a temporary copy");
            RocksDB.loadLibrary();
        }
        loaded = true;
    }

    private static void unpack(URLConnection packed, Path target, Path scratch) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path unpacking = Files.createTempFile(scratch, PACKED_NAME, ".part");
        try (InputStream in = packed.getInputStream()) {
            Files.copy(in, unpacking, StandardCopyOption.REPLACE_EXISTING);
            Files.move(unpacking, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(unpacking);
        }
    }
}
