package dev.thawfs.store;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The names nodes have besides their own while an artifact is imported: a hard link is one more
 * name of its target's node, so both names look up to the same node (one inode, one blob).
 */
final class HardLinks {
    /** A name in a directory. */
    record Name(long parent, String name) {
    }

    private final Map<Long, List<Name>> extraNames = new HashMap<>();

    void add(long node, long parent, String name) {
        extraNames.computeIfAbsent(node, n -> new ArrayList<>()).add(new Name(parent, name));
    }

    /** Takes one of the node's extra names away; false when it is not one of them. */
    boolean remove(long node, long parent, String name) {
        List<Name> names = extraNames.get(node);
        if (names == null || !names.remove(new Name(parent, name))) {
            return false;
        }
        if (names.isEmpty()) {
            extraNames.remove(node);
        }
        return true;
    }

    /** The node lost its own name: one of its extra names becomes its own (null when it has none). */
    Name promote(long node) {
        List<Name> names = extraNames.get(node);
        if (names == null) {
            return null;
        }
        Name promoted = names.remove(0);
        if (names.isEmpty()) {
            extraNames.remove(node);
        }
        return promoted;
    }

    /** Every node with extra names, and how many names it has in all. */
    void forEachLinkCount(BiConsumer<Long, Integer> action) {
        extraNames.forEach((node, names) -> action.accept(node, 1 + names.size()));
    }
}
