package dev.thawfs.fetcher;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whole bodies of objects whose server ignores Range requests, so that each is downloaded once
 * for all the ranges read from it; beyond {@code capacity} bytes the least recently used go.
 */
final class WholeObjects {
    private final long capacity;
    private final Map<String, byte[]> bodies = new LinkedHashMap<>(16, 0.75f, true);
    private long held;

    WholeObjects(long capacity) {
        this.capacity = capacity;
    }

    synchronized byte[] get(ObjectInfo object) {
        return bodies.get(object.key() + '\0' + object.identity());
    }

    synchronized void put(ObjectInfo object, byte[] body) {
        byte[] before = bodies.put(object.key() + '\0' + object.identity(), body);
        held += body.length - (before == null ? 0 : before.length);
        for (Iterator<byte[]> eldest = bodies.values().iterator(); held > capacity && eldest.hasNext(); ) {
            held -= eldest.next().length;
            eldest.remove();
        }
    }
}
