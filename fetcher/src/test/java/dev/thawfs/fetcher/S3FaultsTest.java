package dev.thawfs.fetcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.thawfs.config.S3Settings;
import dev.thawfs.testkit.FaultProxy;
import dev.thawfs.testkit.S3ProxyServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real HTTP faults between the S3 client and a real S3 server: retried, resumed, and bounded. */
class S3FaultsTest {
    @TempDir
    Path work;
    private S3ProxyServer s3;
    private FaultProxy faults;
    private S3ObjectStore store;
    private final byte[] data = new byte[300_000];

    @BeforeEach
    void start() throws Exception {
        s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")));
        s3.createBucket("bench-faults");
        new Random(8).nextBytes(data);
        s3.put("bench-faults", "object", data);
        faults = new FaultProxy(s3.endpoint.getPort());
        S3Settings settings = s3.settings().withEndpoint(URI.create("http://127.0.0.1:" + faults.port()), true);
        store = new S3ObjectStore(settings, "bench-faults");
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        faults.close();
        s3.close();
    }

    private RangeReader reader(int attempts) {
        return new RangeReader(store, new RetryPolicy(attempts, Duration.ofMillis(5), Duration.ofMillis(50)));
    }

    @Test
    void serviceUnavailableAndDroppedConnectionsAreRetried() throws IOException {
        ObjectInfo object = store.stat("object");
        faults.plan(FaultProxy.Fault.SERVICE_UNAVAILABLE, FaultProxy.Fault.DROP, FaultProxy.Fault.SERVICE_UNAVAILABLE);
        RangeReader reader = reader(5);
        assertArrayEquals(Arrays.copyOfRange(data, 1000, 6000), reader.read(object, 1000, 5000));
        // the HTTP client itself retries a GET whose connection dropped before any answer
        assertTrue(reader.counters().retries() >= 2, "retries: " + reader.counters().retries());
    }

    @Test
    void aBodyCutShortResumesWhereItStopped() throws IOException {
        ObjectInfo object = store.stat("object");
        faults.plan(FaultProxy.Fault.TRUNCATE, FaultProxy.Fault.TRUNCATE);
        RangeReader reader = reader(5);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        reader.copy(object, 0, data.length, out);
        assertArrayEquals(data, out.toByteArray());
        assertEquals(2, reader.counters().retries());
    }

    @Test
    void aStoreThatKeepsFailingFailsInBoundedTime() throws IOException {
        ObjectInfo object = store.stat("object");
        faults.plan(FaultProxy.Fault.SERVICE_UNAVAILABLE, FaultProxy.Fault.SERVICE_UNAVAILABLE,
                FaultProxy.Fault.SERVICE_UNAVAILABLE, FaultProxy.Fault.SERVICE_UNAVAILABLE);
        RangeReader reader = reader(3);
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> reader.read(object, 0, 100));
        assertTrue(e.getMessage().contains("503") && e.getMessage().contains("s3://bench-faults/object"), e.getMessage());
        assertEquals(2, reader.counters().retries());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(30).toNanos());
    }
}
