package dev.thawfs.fetcher;

import dev.thawfs.testkit.Trees;
import java.io.IOException;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** An artifact's index as a list, and described as {@link dev.thawfs.testkit.Trees#describe(java.nio.file.Path)} describes a tree. */
final class Indexes {
    private Indexes() {
    }

    /** The same description, of an artifact's index. */
    static Map<String, String> describe(List<IndexEntry> index) {
        Map<String, String> entries = new TreeMap<>();
        for (IndexEntry e : index) {
            entries.put(e.path(), switch (e.type()) {
                case DIRECTORY -> "dir";
                case SYMLINK -> "link -> " + e.linkTarget();
                default -> "file " + PosixFilePermissions.toString(
                        PosixFilePermissions.fromString(modeString(e.mode()))) + " " + e.size()
                        + " " + e.mtimeSec();
            });
        }
        return entries;
    }

    private static String modeString(int mode) {
        String bits = "rwxrwxrwx";
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 9; i++) {
            out.append((mode & (0400 >> i)) != 0 ? bits.charAt(i) : '-');
        }
        return out.toString();
    }

    static List<IndexEntry> index(ArtifactReader artifact) throws IOException {
        List<IndexEntry> entries = new ArrayList<>();
        artifact.index().forEachRemaining(entries::add);
        return entries;
    }
}
