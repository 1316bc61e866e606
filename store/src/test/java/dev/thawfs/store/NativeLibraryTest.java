package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RocksDB's JNI library (17 MB) is unpacked once into the store, not into a temp file per process. */
class NativeLibraryTest {
    @TempDir
    Path work;

    private Path tmp;

    @BeforeEach
    void source() throws IOException {
        tmp = Files.createDirectory(work.resolve("tmp"));
        Path source = Files.createDirectories(work.resolve("src/d"));
        Files.writeString(source.resolve("f"), "content");
    }

    /** Opens {@code store} in a process of its own, then kills it (SIGKILL: deleteOnExit does not run). */
    private void openAndKill(Path store) throws Exception {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "-Djava.io.tmpdir=" + tmp, CrashWorkload.class.getName(), store.toString(),
                work.resolve("src").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertEquals("imported", out.readLine(), "the store opened");
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        }
    }

    @Test
    void killedProcessesLeaveNoLibraryBehindAndShareTheStoresCopy() throws Exception {
        List<Object> libraryIdentities = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            openAndKill(work.resolve("store"));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.filter(file -> file.getFileName().toString().startsWith("librocksdb"))
                        .toList(), "nothing unpacked into java.io.tmpdir");
            }
            try (Stream<Path> unpacked = Files.walk(work.resolve("store"))) {
                List<Path> libraries = unpacked.filter(file -> file.getFileName().toString().startsWith("librocksdb"))
                        .toList();
                assertEquals(1, libraries.size(), libraries.toString());
                libraryIdentities.add(Files.readAttributes(libraries.get(0),
                        java.nio.file.attribute.BasicFileAttributes.class).fileKey());
            }
        }
        assertEquals(libraryIdentities.get(0), libraryIdentities.get(1), "unpacked once, then reused");
    }

    /** Where the library cannot be unpacked or loaded, RocksDB's own loader is the way out. */
    @ParameterizedTest
    @ValueSource(strings = {"size=64m,noexec", "size=2m"})
    void aStoreOnANoexecOrTooSmallFilesystemStillOpens(String tmpfsOptions) throws Exception {
        Path filesystem = Files.createDirectory(work.resolve("filesystem"));
        TestMounts.tmpfs(filesystem, tmpfsOptions);
        try {
            openAndKill(filesystem.resolve("store"));
        } finally {
            TestMounts.unmount(filesystem);
        }
    }
}
