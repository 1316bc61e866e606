package dev.thawfs.bench;

import dev.thawfs.config.S3Settings;
import dev.thawfs.fetcher.ArtifactReader;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.fetcher.IndexEntry;
import dev.thawfs.fetcher.ObjectInfo;
import dev.thawfs.fetcher.RangeReader;
import dev.thawfs.fetcher.RetryPolicy;
import dev.thawfs.fetcher.S3ObjectStore;
import dev.thawfs.testkit.S3ProxyServer;
import dev.thawfs.testkit.ThrottlingProxy;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * bench/run zip-entry-fetch: what reading a zip's index and one entry costs against S3, and what
 * parallel ranged download gains over one GET, through a proxy with first-byte latency and a
 * per-connection bandwidth cap.
 *
 * <p>Usage: ZipEntryFetchBench WORK_DIR ZIP_MIB OBJECT_MIB LATENCY_MS CAP_MB_PER_S
 */
public final class ZipEntryFetchBench {
    private static final String BUCKET = "bench";

    private ZipEntryFetchBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int zipMib = Integer.parseInt(args[1]);
        int objectMib = Integer.parseInt(args[2]);
        Duration latency = Duration.ofMillis(Long.parseLong(args[3]));
        long cap = Long.parseLong(args[4]) * 1_000_000;

        Path zip = work.resolve("big.zip");
        int entries = writeZip(zip, zipMib);
        byte[] object = new byte[objectMib << 20];
        new SplittableRandom(3).nextBytes(object);
        try (S3ProxyServer s3 = new S3ProxyServer(Files.createDirectories(work.resolve("s3")))) {
            s3.createBucket(BUCKET);
            s3.put(BUCKET, "big.zip", Files.readAllBytes(zip));
            s3.put(BUCKET, "object.bin", object);
            try (ThrottlingProxy proxy = new ThrottlingProxy(s3.endpoint.getPort(), latency, cap)) {
                S3Settings settings = s3.settings().withEndpoint(URI.create("http://127.0.0.1:" + proxy.port()), true);
                zipEntry(settings, zip, entries);
                parallel(settings, objectMib, latency, cap);
            }
        }
    }

    private static long fetchedRequests;
    private static double fetchedRatio;

    private static void zipEntry(S3Settings settings, Path zip, int entries) throws Exception {
        try (ArtifactReader artifact = Artifacts.open("s3://" + BUCKET + "/big.zip",
                FetchOptions.defaults(settings), zip.getParent().resolve("scratch"))) {
            List<IndexEntry> index = new ArrayList<>();
            artifact.index().forEachRemaining(index::add);
            IndexEntry entry = index.stream().filter(e -> e.type() == EntryType.FILE).skip(entries / 2).findFirst()
                    .orElseThrow();
            artifact.extract(entry.locator(), entry.size(), OutputStream.nullOutputStream());
            long directoryBytes = centralDirectorySize(zip);
            fetchedRequests = artifact.counters().requests() + 1; // + the HEAD that pins the identity
            fetchedRatio = (double) artifact.counters().bytes() / (entry.size() + directoryBytes);
            System.out.printf("%-56s %12d%n", "zip of " + entries + " entries: central directory bytes", directoryBytes);
            System.out.printf("%-56s %12d%n", "bytes fetched for the index and one " + entry.size() + "-byte entry",
                    artifact.counters().bytes());
            System.out.printf("%-56s %12d%n", "requests (HEAD + ranged GETs)", fetchedRequests);
        }
    }

    private static void parallel(S3Settings settings, int objectMib, Duration latency, long cap) throws Exception {
        try (S3ObjectStore store = new S3ObjectStore(settings, BUCKET)) {
            ObjectInfo info = store.stat("object.bin");
            long single = time(new RangeReader(store, RetryPolicy.defaults(),
                    new RangeReader.Parallelism(Integer.MAX_VALUE, 1)), info);
            long parallel = time(new RangeReader(store, RetryPolicy.defaults(),
                    new RangeReader.Parallelism(8 << 20, 8)), info);
            System.out.printf("%-56s %12.2f%n", objectMib + " MiB, one GET, s", single / 1e9);
            System.out.printf("%-56s %12.2f%n", objectMib + " MiB, 8 MiB parts x 8 in flight, s", parallel / 1e9);
            System.out.printf("RESULT scenario=zip-entry-fetch fetched_ratio=%.3f requests=%d parallel_speedup=%.2f"
                    + " latency_ms=%d cap_mb_s=%d%n", fetchedRatio, fetchedRequests, (double) single / parallel,
                    latency.toMillis(), cap / 1_000_000);
        }
    }

    private static long time(RangeReader reader, ObjectInfo info) throws Exception {
        long start = System.nanoTime();
        reader.copy(info, 0, info.size(), OutputStream.nullOutputStream());
        return System.nanoTime() - start;
    }

    /** A zip of 1 MiB stored entries (random data compresses to nothing anyway). */
    private static int writeZip(Path file, int mib) throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        byte[] data = new byte[1 << 20];
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(file))) {
            for (int i = 0; i < mib; i++) {
                random.nextBytes(data);
                ZipEntry entry = new ZipEntry("lib/part-" + i + ".bin");
                entry.setMethod(ZipEntry.STORED);
                entry.setSize(data.length);
                CRC32 crc = new CRC32();
                crc.update(data);
                entry.setCrc(crc.getValue());
                out.putNextEntry(entry);
                out.write(data);
                out.closeEntry();
            }
        }
        return mib;
    }

    /** The central directory's size, from the end-of-central-directory record. */
    private static long centralDirectorySize(Path zip) throws Exception {
        try (RandomAccessFile file = new RandomAccessFile(zip.toFile(), "r")) {
            byte[] tail = new byte[22];
            file.seek(file.length() - 22);
            file.readFully(tail);
            return Integer.toUnsignedLong(ByteBuffer.wrap(tail).order(ByteOrder.LITTLE_ENDIAN).getInt(12));
        }
    }
}
