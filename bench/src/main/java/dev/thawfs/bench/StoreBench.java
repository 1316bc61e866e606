package dev.thawfs.bench;

import dev.thawfs.fetcher.EntryType;
import dev.thawfs.fetcher.FetchOptions;
import dev.thawfs.fetcher.IndexEntry;
import dev.thawfs.fetcher.Artifacts;
import dev.thawfs.store.Artifact;
import dev.thawfs.store.ContentSource;
import dev.thawfs.store.FetcherSource;
import dev.thawfs.store.Node;
import dev.thawfs.store.Progress;
import dev.thawfs.store.Store;
import dev.thawfs.store.StoreOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * The store benchmark driver (bench/run store): the import rate of an uncompressed tar's index
 * (header scan by the fetcher, tree persisted by the store), warm lookup latency, and
 * materializing many small files (durably) against copying them with cp -r.
 *
 * <p>Usage: StoreBench WORK_DIR ENTRIES MATERIALIZE_MIB
 */
public final class StoreBench {
    private StoreBench() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int entries = Integer.parseInt(args[1]);
        long materializeBytes = Long.parseLong(args[2]) << 20;

        double importRate;
        double lookupP50;
        Path tar = work.resolve("index.tar");
        writeTar(tar, entries);
        try (Store store = Store.open(work.resolve("import-store"), StoreOptions.defaults());
                FetcherSource content = new FetcherSource()) {
            long start = System.nanoTime();
            Artifact artifact = content.importArtifact(store, Artifacts.open(tar.toString(),
                    FetchOptions.defaults(null), store.scratchDirectory()));
            importRate = entries / ((System.nanoTime() - start) / 1e9);
            lookupP50 = lookupP50(store, artifact, entries);
        }

        Path source = work.resolve("src");
        List<IndexEntry> files = smallFiles(source, materializeBytes);
        long cpNanos = timeCommand("cp", "-r", source.toString(), work.resolve("cp-copy").toString());
        long materializeNanos;
        try (Store store = Store.open(work.resolve("materialize-store"), StoreOptions.defaults().withBudget(1L << 40))) {
            long start = System.nanoTime();
            Artifact artifact = store.importArtifact("file:" + source, "1", files.iterator());
            List<CompletableFuture<Node>> done = new ArrayList<>();
            ContentSource fromDirectory = (a, node, target) -> {
                try (FileChannel in = FileChannel.open(source.resolve(new String(node.locator(), StandardCharsets.UTF_8)))) {
                    in.transferTo(0, in.size(), target);
                }
            };
            for (Node directory : store.children(artifact.rootId(), "", Integer.MAX_VALUE)) {
                for (Node file : store.children(directory.id(), "", Integer.MAX_VALUE)) {
                    done.add(store.materialize(file, fromDirectory, Progress.NONE));
                }
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get();
            materializeNanos = System.nanoTime() - start;
        }

        System.out.printf("%-52s %14.0f%n", "tar index import, entries/s (" + entries + " entries)", importRate);
        System.out.printf("%-52s %14.2f%n", "lookup by (parent, name), warm, p50 us", lookupP50);
        System.out.printf("%-52s %14.2f%n", "cp -r of " + files.size() + " files, s", cpNanos / 1e9);
        System.out.printf("%-52s %14.2f%n", "materialize the same files (synced), s", materializeNanos / 1e9);
        System.out.printf("RESULT scenario=store import_entries_per_s=%.0f lookup_us_p50=%.2f materialize_ratio=%.2f"
                + " files=%d bytes=%d%n", importRate, lookupP50, (double) materializeNanos / cpNanos, files.size(),
                materializeBytes);
    }

    /** An uncompressed tar shaped like a package repository: 1000 directories of (empty) jars. */
    private static void writeTar(Path file, int entries) throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(
                new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (int i = 0; i < entries; i++) {
                TarArchiveEntry entry = new TarArchiveEntry("org/group" + (i % 1000) + "/artifact-" + i + ".jar");
                entry.setSize(0);
                tar.putArchiveEntry(entry);
                tar.closeArchiveEntry();
            }
        }
    }

    private static double lookupP50(Store store, Artifact artifact, int entries) {
        SplittableRandom random = new SplittableRandom(1);
        long org = store.child(artifact.rootId(), "org").orElseThrow().id();
        long[] groups = new long[1000];
        for (int g = 0; g < groups.length; g++) {
            groups[g] = store.child(org, "group" + g).orElseThrow().id();
        }
        int samples = 200_000;
        int[] hot = random.ints(20_000, 0, entries).toArray();
        for (int i : hot) {
            store.child(groups[i % 1000], "artifact-" + i + ".jar").orElseThrow(); // warm
        }
        long[] nanos = new long[samples];
        for (int s = 0; s < samples; s++) {
            int i = hot[random.nextInt(hot.length)];
            long start = System.nanoTime();
            store.child(groups[i % 1000], "artifact-" + i + ".jar");
            nanos[s] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        return nanos[samples / 2] / 1000.0;
    }

    /** Files of 1 to 64 KiB in 64 directories, totalling about {@code bytes}. */
    private static List<IndexEntry> smallFiles(Path root, long bytes) throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        List<IndexEntry> entries = new ArrayList<>();
        byte[] data = new byte[64 << 10];
        long total = 0;
        for (int i = 0; total < bytes; i++) {
            String relative = "d" + (i % 64) + "/f" + i;
            Path file = root.resolve(relative);
            Files.createDirectories(file.getParent());
            int size = random.nextInt(1024, (64 << 10) + 1);
            random.nextBytes(data);
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(data, 0, size);
            }
            entries.add(new IndexEntry(relative, EntryType.FILE, 0644, size, 1_700_000_000L, 0, null, null,
                    relative.getBytes(StandardCharsets.UTF_8)));
            total += size;
        }
        return entries;
    }

    private static long timeCommand(String... command) throws Exception {
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).inheritIO().start();
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed");
        }
        return System.nanoTime() - start;
    }
}
