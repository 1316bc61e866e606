package dev.thawfs.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Test trees and archives made with the real tools, and what a tree looks like entry by entry. */
public final class Trees {
    private Trees() {
    }

    /** Directories, files from empty to 1 MiB, a symlink, modes, an old mtime, UTF-8 and spaces. */
    public static void create(Path root) throws IOException {
        Random random = new Random(1);
        Files.createDirectories(root.resolve("pkg/lib"));
        Files.createDirectories(root.resolve("pkg/bin"));
        Files.createDirectories(root.resolve("pkg/empty-dir"));
        int[] sizes = {0, 1, 4096, 70_000, 1 << 20};
        for (int i = 0; i < sizes.length; i++) {
            byte[] data = new byte[sizes[i]];
            random.nextBytes(data);
            Files.write(root.resolve("pkg/lib/f" + i + ".bin"), data);
        }
        try (OutputStream text = Files.newOutputStream(root.resolve("pkg/lib/compressible.txt"))) {
            for (int i = 0; i < 20_000; i++) {
                text.write(("line " + i + " of a text that compresses well\n").getBytes());
            }
        }
        Files.writeString(root.resolve("pkg/bin/run me.sh"), "#!/bin/sh\necho ok\n");
        Files.setPosixFilePermissions(root.resolve("pkg/bin/run me.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        Files.writeString(root.resolve("pkg/lib/ünï.txt"), "utf-8 name");
        Files.createSymbolicLink(root.resolve("pkg/current"), Path.of("lib/f3.bin"));
        Files.setLastModifiedTime(root.resolve("pkg/lib/f1.bin"), FileTime.from(Instant.parse("2004-02-29T12:00:00Z")));
    }

    /** Every entry below root: "type mode size mtime-seconds [-> target]" by relative path. */
    public static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (path.equals(root)) {
                    continue;
                }
                PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                entries.put(root.relativize(path).toString(), a.isDirectory() ? "dir"
                        : a.isSymbolicLink() ? "link -> " + Files.readSymbolicLink(path)
                        : "file " + PosixFilePermissions.toString(a.permissions()) + " " + a.size() + " "
                                + a.lastModifiedTime().toInstant().getEpochSecond());
            }
        }
        return entries;
    }
}
