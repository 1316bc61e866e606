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
    private static final String PACKED_NAME = Environment.getJniLibraryFileName("rocksdb");
    /** The name RocksDB.loadLibrary(paths) looks for: not the name the jar packs it under. */
    private static final String LOADED_NAME = Environment.getJniLibraryFileName("rocksdbjni");

    private NativeLibrary() {
    }

    /** Loads the library, unpacking it into a directory of {@code directory} named after its checksum if needed. */
    static synchronized void load(Path directory, Path scratch) {
        try {
            URL packed = RocksDB.class.getClassLoader().getResource(PACKED_NAME);
            URLConnection connection = packed == null ? null : packed.openConnection();
            if (!(connection instanceof JarURLConnection jar)) {
                RocksDB.loadLibrary(); // not in a jar (or not for this platform): RocksDB's loader knows
                return;
            }
            Path version = directory.resolve("rocksdbjni-" + Long.toHexString(jar.getJarEntry().getCrc()));
            if (!Files.exists(version.resolve(LOADED_NAME))) {
                Files.createDirectories(version);
                Path unpacking = Files.createTempFile(scratch, PACKED_NAME, ".part");
                try (InputStream in = connection.getInputStream()) {
                    Files.copy(in, unpacking, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(unpacking, version.resolve(LOADED_NAME), StandardCopyOption.ATOMIC_MOVE);
            }
            RocksDB.loadLibrary(List.of(version.toString()));
        } catch (IOException e) {
            throw new StoreException("cannot unpack RocksDB's native library into " + directory + ": " + e, e);
        }
    }
}
