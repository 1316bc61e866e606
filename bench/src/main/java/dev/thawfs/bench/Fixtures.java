package dev.thawfs.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Seeded, deterministic benchmark fixtures: a job bundle, its archives, its startup trace, a package repository. */
final class Fixtures {
    /** One read of a workload: a file, and how much of it from where. */
    record Read(String path, long offset, long length) {
    }

    private static final String[] TREES = {"jdk/lib/modules/java.base", "jdk/lib/modules/java.desktop", "jdk/bin",
        "jdk/conf", "app/lib", "app/config", "app/static/js", "app/static/css",
        "venv/lib/python3.11/site-packages/numpy", "venv/lib/python3.11/site-packages/requests",
        "venv/lib/python3.11/site-packages/yaml", "venv/lib/python3.11/site-packages/urllib3"};
    private static final String[] SUFFIXES = {".class", ".class", "", ".properties", ".jar", ".yaml", ".js", ".css",
        ".py", ".py", ".py", ".py"};

    private Fixtures() {
    }

    /**
     * A job bundle of {@code totalBytes}: 70 % in 50-200 MiB data files (at most an eighth of the
     * total each), the rest in 1 B to {@code smallMaxBytes} files, directory by directory as an
     * archiver walks a tree. Returns the files in that order.
     */
    static List<Path> bundle(Path root, long totalBytes, int smallMaxBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(2026);
        List<Path> files = new ArrayList<>();
        long large = totalBytes * 7 / 10;
        long written = 0;
        byte[] block = new byte[1 << 20];
        for (int i = 0; written < large; i++) {
            long size = Math.min(large - written, (50L << 20) + random.nextLong(150L << 20));
            size = Math.max(1, Math.min(size, Math.max(1, totalBytes / 8)));
            Path file = root.resolve("data/model-" + i + ".bin");
            Files.createDirectories(file.getParent());
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
                for (long left = size; left > 0; left -= block.length) {
                    fill(random, block);
                    out.write(block, 0, (int) Math.min(left, block.length));
                }
            }
            files.add(file);
            written += size;
        }
        fill(random, block);
        for (int directory = 0; written < totalBytes; directory++) {
            int tree = directory % TREES.length;
            Path dir = Files.createDirectories(root.resolve(TREES[tree] + "/p" + directory / TREES.length));
            int count = random.nextInt(8, 40);
            for (int i = 0; i < count && written < totalBytes; i++) {
                int size = random.nextInt(1, smallMaxBytes);
                Path file = dir.resolve("f" + i + SUFFIXES[tree]);
                int offset = random.nextInt(block.length - size);
                Files.write(file, Arrays.copyOfRange(block, offset, offset + size));
                files.add(file);
                written += size;
            }
            fill(random, block);
        }
        return files;
    }

    /** Half random, half text-like: compresses about as well as real bundles. */
    private static void fill(SplittableRandom random, byte[] block) {
        for (int i = 0; i < block.length; i += 8) {
            long value = random.nextLong();
            for (int j = 0; j < 8 && i + j < block.length; j++) {
                block[i + j] = (i & 4096) == 0 ? (byte) (value >>> (8 * j)) : (byte) ('a' + ((value >>> (8 * j)) & 15));
            }
        }
    }

    /**
     * A startup: whole directories of small files (a package imported, a module's classes loaded),
     * chosen at random until about 10 % of the files, read in tree order, then one partial read of
     * a large file that brings the bytes to about 5 %.
     */
    static List<Read> startupTrace(Path root, List<Path> files, long totalBytes) throws IOException {
        Map<Path, List<Path>> byDirectory = new LinkedHashMap<>();
        List<Path> large = new ArrayList<>();
        for (Path file : files) {
            if (root.relativize(file).startsWith("data")) {
                large.add(file);
            } else {
                byDirectory.computeIfAbsent(file.getParent(), d -> new ArrayList<>()).add(file);
            }
        }
        SplittableRandom random = new SplittableRandom(9);
        List<Read> reads = new ArrayList<>();
        long bytes = 0;
        int wanted = files.size() / 10;
        for (List<Path> directory : byDirectory.values()) {
            if (reads.size() >= wanted || random.nextInt(10) != 0) {
                continue;
            }
            for (Path file : directory) {
                long size = Files.size(file);
                reads.add(new Read(root.relativize(file).toString(), 0, size));
                bytes += size;
            }
        }
        Path model = large.get(0);
        long size = Files.size(model);
        long length = Math.max(0, Math.min(totalBytes / 20 - bytes, size - size / 3));
        reads.add(reads.size() / 2, new Read(root.relativize(model).toString(), size / 3, length));
        return reads;
    }

    /**
     * Writes {@code reads} as a thawfs trace (what {@code thawfs mount --record} writes and
     * {@code thawfs prefetch --trace} reads): {@code T_MS<TAB>OFFSET<TAB>LENGTH<TAB>PATH}, one
     * millisecond apart, PATH relative to the mount root.
     */
    static void writeTrace(List<Read> reads, Path file) throws IOException {
        List<String> lines = new ArrayList<>(List.of("# thawfs trace v1", "# the bench fixtures' startup trace"));
        for (int i = 0; i < reads.size(); i++) {
            Read read = reads.get(i);
            lines.add(i + "\t" + read.offset() + "\t" + read.length() + "\t" + read.path());
        }
        Files.write(file, lines);
    }

    /** A trace written by {@link #writeTrace}; a line that is only a path reads that file whole. */
    static List<Read> readTrace(Path file) throws IOException {
        List<Read> reads = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] fields = line.split("\t", 4);
            reads.add(fields.length == 4 ? new Read(fields[3], Long.parseLong(fields[1]), Long.parseLong(fields[2]))
                    : new Read(line.strip(), 0, Long.MAX_VALUE));
        }
        return reads;
    }

    static void zip(Path root, List<Path> files, Path zip) throws IOException {
        try (ZipOutputStream out = new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(zip), 1 << 20))) {
            out.setLevel(1);
            for (Path file : files) {
                out.putNextEntry(new ZipEntry(root.relativize(file).toString()));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }

    static void tar(Path root, List<Path> files, Path tar, boolean gzip) throws IOException {
        OutputStream file = new BufferedOutputStream(Files.newOutputStream(tar), 1 << 20);
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(gzip ? new GzipCompressorOutputStream(file) : file)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            for (Path entry : files) {
                out.putArchiveEntry(new TarArchiveEntry(entry.toFile(), root.relativize(entry).toString()));
                Files.copy(entry, out);
                out.closeArchiveEntry();
            }
        }
    }

    /** A Maven- and PyPI-like repository: jars and wheels of 2-200 KiB, each with a .sha256 file. */
    static List<Path> repository(Path root, int objects) throws IOException {
        SplittableRandom random = new SplittableRandom(7);
        byte[] block = new byte[200 << 10];
        fill(random, block);
        MessageDigest sha256 = sha256();
        List<Path> files = new ArrayList<>();
        for (int i = 0; files.size() < objects; i++) {
            boolean wheel = i % 3 == 0;
            Path file = wheel ? root.resolve("pypi/pkg" + i / 3 + "/pkg" + i + "-1." + i % 7 + "-py3-none-any.whl")
                    : root.resolve("maven/org/example/lib" + i % 97 + "/1." + i + "/lib" + i % 97 + "-1." + i + ".jar");
            Files.createDirectories(file.getParent());
            Files.write(file, Arrays.copyOfRange(block, 0, random.nextInt(2 << 10, block.length)));
            Path checksum = file.resolveSibling(file.getFileName() + ".sha256");
            Files.writeString(checksum, HexFormat.of().formatHex(sha256.digest(Files.readAllBytes(file))) + "\n");
            files.add(file);
            files.add(checksum);
        }
        return files;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
