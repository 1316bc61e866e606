package dev.thawfs.fs.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * A generated source tree with what a mirror must get right: nesting, symlinks (relative,
 * absolute, dangling), an empty file, a large file, names with spaces and UTF-8, modes
 * 0600/0755/0444, old mtimes, an executable binary and a shell script.
 */
public final class SampleTree {
    public static final String BIG = "data/big.bin";
    public static final Instant OLD = Instant.parse("2001-09-09T01:46:40.123456789Z");

    private SampleTree() {
    }

    public static void create(Path root, long bigFileBytes) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        Files.createDirectories(root.resolve("a/b/c"));
        Files.createDirectories(root.resolve("data"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("empty dir"));
        int[] sizes = {1, 4095, 4096, 4097, 100_000, (1 << 20) + 3};
        for (int i = 0; i < sizes.length; i++) {
            write(root.resolve("a/b/c/file" + i), sizes[i], random);
        }
        write(root.resolve("a/with space.txt"), 1234, random);
        write(root.resolve("a/ünïcødé-文件.txt"), 777, random);
        Files.createFile(root.resolve("a/empty"));
        write(root.resolve(BIG), bigFileBytes, random);

        Files.createSymbolicLink(root.resolve("link-relative"), Path.of("a/b/c/file1"));
        Files.createSymbolicLink(root.resolve("a/link-absolute"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(root.resolve("a/b/dangling"), Path.of("../nowhere"));

        Path secret = root.resolve("a/secret");
        write(secret, 300, random);
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path readOnly = root.resolve("a/b/read-only");
        write(readOnly, 200, random);
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r--r--r--"));

        Files.copy(Path.of("/bin/echo"), root.resolve("bin/echo"));
        Files.writeString(root.resolve("bin/hello.sh"), "#!/bin/sh\necho \"script-ok $1\"\n");
        for (String executable : new String[] {"bin/echo", "bin/hello.sh"}) {
            Files.setPosixFilePermissions(root.resolve(executable), PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        Files.setLastModifiedTime(root.resolve("a/b/c/file0"), FileTime.from(OLD));
        Files.setLastModifiedTime(root.resolve("a/b"), FileTime.from(OLD));
    }

    private static void write(Path file, long size, SplittableRandom random) throws IOException {
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long value = random.nextLong();
                    for (int j = 0; j < 8; j++) {
                        chunk[i + j] = (byte) (value >>> (8 * j));
                    }
                }
                out.write(chunk, 0, (int) Math.min(left, chunk.length));
            }
        }
    }
}
