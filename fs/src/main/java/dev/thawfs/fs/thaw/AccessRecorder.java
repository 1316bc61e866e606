package dev.thawfs.fs.thaw;

import dev.thawfs.store.Node;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Turns opens and reads into first accesses for an {@link AccessLog}; {@link #NONE} records nothing. */
class AccessRecorder {
    static final AccessRecorder NONE = new AccessRecorder(null, null) {
        @Override
        void access(Node node, long offset, long length) {
        }
    };

    private final LayerTree tree;
    private final AccessLog log;
    private final long startNanos = System.nanoTime();
    private final Set<Long> seen = ConcurrentHashMap.newKeySet();

    AccessRecorder(LayerTree tree, AccessLog log) {
        this.tree = tree;
        this.log = log;
    }

    void access(Node node, long offset, long length) {
        if (seen.add(node.id())) {
            log.firstAccess(tree.mountPath(node), offset, length, (System.nanoTime() - startNanos) / 1_000_000);
        }
    }
}
