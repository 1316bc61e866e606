package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments of materialization, many times: after each, a reopened store has no
 * complete blob whose file is not exactly the entry's bytes, and no scratch files left over.
 */
class CrashTest {
    private static final int DIRECTORIES = 6;
    private static final int FILES_PER_DIRECTORY = 60;
    private static final int KILLS = 12;

    @TempDir
    Path work;

    @Test
    void killedAtRandomPointsTheStoreNeverServesAnIncompleteBlob() throws Exception {
        Path source = work.resolve("src");
        Map<String, byte[]> digests = createSource(source);
        long fullRunNanos = runToTheEnd(work.resolve("calibration"), source, digests);
        Random random = new Random(2026);
        int sawPartial = 0;
        Path storeDir = null;
        // Each kill gets a fresh store, killed at a random point of a run as long as the measured
        // one, so kills land mid-way however fast this machine is.
        for (int kill = 0; kill < KILLS || (sawPartial == 0 && kill < 4 * KILLS); kill++) {
            storeDir = work.resolve("store-" + kill);
            Process child = startWorkload(storeDir, source);
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
                assertEquals("imported", out.readLine(), "the workload started");
                TimeUnit.NANOSECONDS.sleep((long) (fullRunNanos * (0.05 + 0.9 * random.nextDouble())));
                child.destroyForcibly(); // SIGKILL: no shutdown hook, no close
                assertTrue(child.waitFor(60, TimeUnit.SECONDS));
            }
            int complete = verify(storeDir, digests);
            if (complete > 0 && complete < digests.size()) {
                sawPartial++;
            }
        }
        assertTrue(sawPartial > 0, "at least one kill landed mid-materialization");
        runToTheEnd(storeDir, source, digests);
    }

    /** Runs the workload on {@code storeDir} to the end; returns how long it took after the import. */
    private long runToTheEnd(Path storeDir, Path source, Map<String, byte[]> digests) throws Exception {
        Process child = startWorkload(storeDir, source);
        long nanos;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            assertEquals("imported", out.readLine(), "the workload started");
            long started = System.nanoTime();
            assertEquals("done", out.readLine(), "the workload ran to the end");
            nanos = System.nanoTime() - started;
        }
        assertTrue(child.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, child.exitValue());
        assertEquals(digests.size(), verify(storeDir, digests), "a run to the end completes every file");
        return nanos;
    }

    private Process startWorkload(Path storeDir, Path source) throws IOException {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CrashWorkload.class.getName(), storeDir.toString(), source.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Checks every complete blob against the source; returns how many are complete. */
    private static int verify(Path storeDir, Map<String, byte[]> digests) throws Exception {
        int complete = 0;
        try (Store store = Store.open(storeDir, StoreOptions.defaults())) {
            try (Stream<Path> scratch = Files.list(storeDir.resolve("tmp"))) {
                assertEquals(0, scratch.count(), "no scratch files survive a restart");
            }
            List<Artifact> artifacts = store.artifacts();
            if (artifacts.isEmpty()) {
                return 0;
            }
            Artifact artifact = artifacts.get(0);
            for (Node directory : store.children(artifact.rootId(), "", Integer.MAX_VALUE)) {
                for (Node file : store.children(directory.id(), "", Integer.MAX_VALUE)) {
                    if (store.isMaterialized(file)) {
                        complete++;
                        assertArrayEquals(digests.get(directory.name() + "/" + file.name()),
                                sha256(Files.readAllBytes(store.blobPath(file))),
                                "complete blob of " + directory.name() + "/" + file.name());
                    }
                }
            }
        }
        return complete;
    }

    private static Map<String, byte[]> createSource(Path root) throws Exception {
        Map<String, byte[]> digests = new HashMap<>();
        Random random = new Random(11);
        for (int d = 0; d < DIRECTORIES; d++) {
            Path directory = Files.createDirectories(root.resolve("d" + d));
            for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
                byte[] data = new byte[random.nextInt(1, 256 * 1024)];
                random.nextBytes(data);
                Files.write(directory.resolve("f" + f), data);
                digests.put("d" + d + "/f" + f, sha256(data));
            }
        }
        return digests;
    }

    private static byte[] sha256(byte[] data) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(data);
    }
}
