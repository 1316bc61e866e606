package dev.thawfs.fetcher;

import java.nio.charset.StandardCharsets;

/** Entry names made safe: relative, normalized, never escaping the artifact's root. */
final class EntryPaths {
    private static final int NAME_MAX = 255;

    private EntryPaths() {
    }

    /**
     * The normalized path of an entry name ("./a//b/" → "a/b"; "./" and "." → "", the artifact's
     * root, which only a directory may name), or an error for absolute names, ".." (zip-slip),
     * components over 255 bytes, NULs.
     */
    static String normalize(String artifact, String name, boolean directory) throws BadEntryException {
        if (name.startsWith("/")) {
            throw new BadEntryException(artifact, name, "absolute entry name: refused, it would leave the artifact");
        }
        StringBuilder path = new StringBuilder();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                throw new BadEntryException(artifact, name, "'..' in an entry name: refused, it would leave the artifact");
            }
            if (part.indexOf('\0') >= 0) {
                throw new BadEntryException(artifact, name, "NUL in an entry name");
            }
            if (part.getBytes(StandardCharsets.UTF_8).length > NAME_MAX) {
                throw new BadEntryException(artifact, name, "a name component is over " + NAME_MAX + " bytes");
            }
            if (path.length() > 0) {
                path.append('/');
            }
            path.append(part);
        }
        if (path.length() == 0 && !directory) {
            throw new BadEntryException(artifact, name, "names the artifact's root, which only a directory can be");
        }
        return path.toString();
    }
}
