package dev.thawfs.bench;

import dev.thawfs.bench.Fixtures.Read;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * The same reads for every system, given the root its tree appears at. bench/run compare runs
 * each in a JVM of its own, so every system meets the same cold JIT and a stopped run can be killed:
 *
 * <pre>
 * Workloads trace ROOT TRACE_FILE      the startup: stat the trace's directories, then its reads in order
 * Workloads seq ROOT LIST_FILE         every listed file read whole, 1 MiB at a time
 * Workloads rand ROOT LIST_FILE COUNT  COUNT 4 KiB reads at seeded random offsets of the listed files
 * Workloads walk ROOT                  find + stat: every entry of the tree
 * Workloads repo ROOT LIST_FILE        list the repository, read every checksum and every twentieth package
 * </pre>
 *
 * and prints {@code elapsed_ns=N amount=N}: the workload's own time and the bytes it read (entries
 * for walk), the same on every system that serves the same tree.
 */
public final class Workloads {
    private Workloads() {
    }

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[1]);
        long start = System.nanoTime();
        long amount = switch (args[0]) {
            case "trace" -> startup(root, Fixtures.readTrace(Path.of(args[2])));
            case "seq" -> sequential(root, Files.readAllLines(Path.of(args[2])));
            case "rand" -> random(root, Files.readAllLines(Path.of(args[2])), Integer.parseInt(args[3]));
            case "walk" -> walk(root);
            case "repo" -> repository(root, Files.readAllLines(Path.of(args[2])));
            default -> throw new IllegalArgumentException("usage: Workloads trace|seq|rand|walk|repo ROOT [FILE [COUNT]]");
        };
        System.out.println("elapsed_ns=" + (System.nanoTime() - start) + " amount=" + amount);
    }

    /** A startup: stat every entry of the directories it uses (an import path searched), then its reads. */
    static long startup(Path root, List<Read> trace) throws IOException {
        for (Path directory : trace.stream().map(read -> root.resolve(read.path()).getParent()).distinct().toList()) {
            try (Stream<Path> entries = Files.list(directory)) {
                entries.forEach(Workloads::stat);
            }
        }
        return reads(root, trace);
    }

    /** The reads of a trace, in order, each file opened for its read; returns the bytes read. */
    static long reads(Path root, List<Read> trace) throws IOException {
        byte[] buffer = new byte[1 << 20];
        long bytes = 0;
        for (Read read : trace) {
            try (RandomAccessFile file = new RandomAccessFile(root.resolve(read.path()).toFile(), "r")) {
                file.seek(read.offset());
                for (long left = read.length(), n; left > 0; left -= n, bytes += n) {
                    n = file.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        break;
                    }
                }
            }
        }
        return bytes;
    }

    /** Every file read whole, in the listed order, 1 MiB at a time; returns the bytes read. */
    static long sequential(Path root, List<String> files) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long bytes = 0;
        for (String path : files) {
            try (FileChannel channel = FileChannel.open(root.resolve(path), StandardOpenOption.READ)) {
                for (int n; (n = channel.read(buffer.clear())) > 0; ) {
                    bytes += n;
                }
            }
        }
        return bytes;
    }

    /** {@code count} 4 KiB reads at seeded random offsets across {@code files}; returns the bytes read. */
    static long random(Path root, List<String> files, int count) throws IOException {
        SplittableRandom random = new SplittableRandom(4);
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        FileChannel[] channels = new FileChannel[files.size()];
        long bytes = 0;
        try {
            for (int i = 0; i < channels.length; i++) {
                channels[i] = FileChannel.open(root.resolve(files.get(i)), StandardOpenOption.READ);
            }
            for (int i = 0; i < count; i++) {
                FileChannel channel = channels[random.nextInt(channels.length)];
                bytes += Math.max(0, channel.read(buffer.clear(), random.nextLong(channel.size() / 4096) * 4096));
            }
        } finally {
            for (FileChannel channel : channels) {
                if (channel != null) {
                    channel.close();
                }
            }
        }
        return bytes;
    }

    /** find + stat: every entry of the tree; returns how many. */
    static long walk(Path root) throws IOException {
        try (Stream<Path> entries = Files.walk(root)) {
            return entries.peek(Workloads::stat).count();
        }
    }

    /** A build resolving dependencies: list the repository, read every checksum and every twentieth package. */
    static long repository(Path root, List<String> objects) throws IOException {
        walk(root);
        byte[] buffer = new byte[1 << 16];
        long bytes = 0;
        for (int i = 0; i < objects.size(); i++) {
            String object = objects.get(i);
            if (object.endsWith(".sha256") || i % 20 == 0) {
                try (InputStream in = Files.newInputStream(root.resolve(object))) {
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        bytes += n;
                    }
                }
            }
        }
        return bytes;
    }

    private static void stat(Path entry) {
        try {
            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
