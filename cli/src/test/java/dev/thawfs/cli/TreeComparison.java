package dev.thawfs.cli;

import static org.junit.jupiter.api.Assertions.fail;

import dev.thawfs.fs.testing.FuseTestSupport;
import dev.thawfs.testkit.Commands;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A tree entry by entry, content included, to compare a mount with what the real tools extract
 * from the same artifact; and commands run with a time limit.
 */
final class TreeComparison {
    private TreeComparison() {
    }

    /**
     * Every entry below root by relative path: {@code dir MODE MTIME}, {@code file MODE SIZE MTIME
     * SHA256}, {@code link -> TARGET}. Mtimes in whole seconds. Reading a file of a mount fetches it.
     */
    static Map<String, String> describe(Path root) throws IOException {
        Map<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : (Iterable<Path>) walk::iterator) {
                if (path.equals(root)) {
                    continue;
                }
                PosixFileAttributes a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String mode = PosixFilePermissions.toString(a.permissions());
                long mtime = a.lastModifiedTime().toInstant().getEpochSecond();
                String relative = root.relativize(path).toString();
                String description;
                if (a.isDirectory()) {
                    description = "dir " + mode + " " + mtime;
                } else if (a.isSymbolicLink()) {
                    description = "link -> " + Files.readSymbolicLink(path);
                } else if (a.isRegularFile()) {
                    String content;
                    try {
                        content = FuseTestSupport.sha256(path);
                    } catch (IOException e) {
                        content = "unreadable: " + e;
                    }
                    description = "file " + mode + " " + a.size() + " " + mtime + " " + content;
                } else {
                    description = "other " + mode;
                }
                entries.put(relative, description);
            }
        }
        return entries;
    }

    /**
     * What a real tool extracted into {@code directory}; {@code startSecond}: when it started, so
     * directories the archive has no entry for (the tool makes them, dated now) can be told apart.
     */
    record Extraction(Path directory, long startSecond) {
    }

    /** Runs the extracting tool (tar -x, unzip) in a new directory {@code into}. */
    static Extraction extract(Path into, String... command) throws IOException, InterruptedException {
        Files.createDirectories(into);
        long start = java.time.Instant.now().getEpochSecond();
        Commands.check(into, command);
        return new Extraction(into, start);
    }

    /**
     * Fails, naming the first differences (not the whole tree), unless the mount shows what was
     * extracted. A directory the archive has no entry for has no mtime to compare (the tool dates
     * it at extraction).
     */
    static void assertSameTree(Extraction expected, Path actual, String what) throws IOException {
        Map<String, String> want = describe(expected.directory());
        Map<String, String> got = describe(actual);
        for (Map.Entry<String, String> entry : want.entrySet()) {
            String[] fields = entry.getValue().split(" ");
            if (fields[0].equals("dir") && Long.parseLong(fields[2]) >= expected.startSecond()) {
                entry.setValue("dir " + fields[1] + " (implied)");
                got.computeIfPresent(entry.getKey(), (path, value) -> value.startsWith("dir ")
                        ? value.replaceAll(" \\d+$", " (implied)") : value);
            }
        }
        List<String> differences = differences(want, got);
        if (!differences.isEmpty()) {
            fail(what + ": " + differences.size() + " of " + want.size() + " entries differ from the extraction ("
                    + expected.directory() + " vs " + actual + "), first ones:\n  " + String.join("\n  ",
                    differences.subList(0, Math.min(25, differences.size()))));
        }
    }

    static List<String> differences(Map<String, String> want, Map<String, String> got) {
        Set<String> paths = new TreeSet<>(want.keySet());
        paths.addAll(got.keySet());
        List<String> differences = new ArrayList<>();
        for (String path : paths) {
            String w = want.get(path);
            String g = got.get(path);
            if (w == null || !w.equals(g)) {
                differences.add(path + ": expected " + (w == null ? "nothing" : w) + ", mount has "
                        + (g == null ? "nothing" : g));
            }
        }
        return differences;
    }

    /** Runs {@code ls -la} on root and every directory below it; fails with each one that fails. */
    static void assertLsWorksEverywhere(Path root) throws Exception {
        List<Path> directories = new ArrayList<>(List.of(root));
        int listed = 0;
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < directories.size(); i++) {
            Path directory = directories.get(i);
            listed++;
            Commands.Result ls = Commands.run(Duration.ofSeconds(60), null, Map.of(), "ls", "-la", directory.toString());
            if (ls.exit() != 0) {
                failures.add("ls -la " + directory + " exited " + ls.exit() + ": " + ls.output().trim());
            }
            try (Stream<Path> children = Files.list(directory)) {
                children.filter(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).forEach(directories::add);
            } catch (IOException | UncheckedIOException e) {
                failures.add("listing " + directory + " in Java: " + e);
            }
        }
        if (!failures.isEmpty()) {
            fail(failures.size() + " failures listing " + listed + " directories:\n  "
                    + String.join("\n  ", failures));
        }
    }

    static String path(Path... entries) {
        return String.join(File.pathSeparator, Stream.of(entries).map(Path::toString).toList());
    }
}
