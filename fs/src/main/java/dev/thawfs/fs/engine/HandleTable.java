package dev.thawfs.fs.engine;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** Open file and directory handles by the {@code fh} number the kernel hands back. */
public final class HandleTable<T> {
    private final Map<Long, T> handles = new ConcurrentHashMap<>();
    private final AtomicLong next = new AtomicLong(1);

    public long add(T handle) {
        long fh = next.getAndIncrement();
        handles.put(fh, handle);
        return fh;
    }

    /** The handle, or null for a number that was never handed out or is released. */
    public T get(long fh) {
        return handles.get(fh);
    }

    public T remove(long fh) {
        return handles.remove(fh);
    }
}
