package dev.thawfs.bench;

import dev.thawfs.bench.Fixtures.Read;
import java.io.IOException;
import java.io.RandomAccessFile;
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

/** The same reads for every system, given the root its tree appears at. */
final class Workloads {
    private Workloads() {
    }

    /** A startup: stat every entry of the directories it uses, then its reads in order. */
    static void startup(Path root, List<Read> trace) throws IOException {
        trace.stream().map(read -> root.resolve(read.path()).getParent()).distinct().forEach(directory -> {
            try (Stream<Path> entries = Files.list(directory)) {
                entries.forEach(Workloads::stat);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] buffer = new byte[1 << 20];
        for (Read read : trace) {
            try (RandomAccessFile file = new RandomAccessFile(root.resolve(read.path()).toFile(), "r")) {
                file.seek(read.offset());
                for (long left = read.length(); left > 0; ) {
                    int n = file.read(buffer, 0, (int) Math.min(buffer.length, left));
                    if (n < 0) {
                        break;
                    }
                    left -= n;
                }
            }
        }
    }

    /** Every file read whole, in tree order, 1 MiB at a time; returns the bytes read. */
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

    /** {@code count} 4 KiB reads at seeded random offsets across the large files. */
    static void random(Path root, List<String> largeFiles, int count) throws IOException {
        SplittableRandom random = new SplittableRandom(4);
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        FileChannel[] channels = new FileChannel[largeFiles.size()];
        try {
            for (int i = 0; i < channels.length; i++) {
                channels[i] = FileChannel.open(root.resolve(largeFiles.get(i)), StandardOpenOption.READ);
            }
            for (int i = 0; i < count; i++) {
                FileChannel channel = channels[random.nextInt(channels.length)];
                channel.read(buffer.clear(), random.nextLong(channel.size() / 4096) * 4096);
            }
        } finally {
            for (FileChannel channel : channels) {
                if (channel != null) {
                    channel.close();
                }
            }
        }
    }

    /** find + stat: every entry of the tree; returns how many. */
    static long walk(Path root) throws IOException {
        try (Stream<Path> entries = Files.walk(root)) {
            return entries.peek(Workloads::stat).count();
        }
    }

    /** A build resolving dependencies: list the repository, read every checksum and every tenth package. */
    static void repository(Path root, List<String> objects) throws IOException {
        walk(root);
        byte[] buffer = new byte[1 << 16];
        for (int i = 0; i < objects.size(); i++) {
            String object = objects.get(i);
            if (object.endsWith(".sha256") || i % 20 == 0) {
                try (var in = Files.newInputStream(root.resolve(object))) {
                    while (in.read(buffer) > 0) {
                        // read it all
                    }
                }
            }
        }
    }

    private static void stat(Path entry) {
        try {
            Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
