package dev.thawfs.store;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.thawfs.fetcher.EntryFinder;
import dev.thawfs.fetcher.IndexEntry;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Names found by asking: in an artifact whose entries are found by path rather than listed (an
 * HTTP prefix with {@code http.listing = none}), a name a directory does not have is asked for at
 * the origin, on threads of its own. What is found joins the store's tree for good, so later
 * mounts of the store list it; a name found missing is answered as missing, without asking again,
 * for the finder's {@link EntryFinder#missingFor()}. Concurrent questions for one name are one.
 */
public final class LookedUpNames {
    private static final int MISSING_REMEMBERED = 100_000;
    private static final int ASKING_THREADS = 8;

    private record Name(long directory, String name) {
    }

    private final Store store;
    private final ContentSource source;
    private final Map<Long, Optional<EntryFinder>> finders = new ConcurrentHashMap<>();
    /** When a name found missing may be asked for again, in {@link System#nanoTime()}. */
    private final Cache<Name, Long> missingUntil = Caffeine.newBuilder().maximumSize(MISSING_REMEMBERED).build();
    private final Map<Name, CompletableFuture<Boolean>> asking = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor askers;

    public LookedUpNames(Store store, ContentSource source) {
        this.store = store;
        this.source = source;
        this.askers = new ThreadPoolExecutor(ASKING_THREADS, ASKING_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), task -> {
                    Thread thread = new Thread(task, "thawfs-lookup");
                    thread.setDaemon(true);
                    return thread;
                });
        askers.allowCoreThreadTimeOut(true);
    }

    /**
     * How long "no such name" holds in these directories: the shortest {@code missingFor} of those
     * whose names are found by asking; empty when none is (their trees are complete).
     */
    public Optional<Duration> missingFor(List<Long> directories) {
        Duration shortest = null;
        for (long id : directories) {
            Node directory = store.node(id).orElse(null);
            EntryFinder finder = directory == null || !directory.isDirectory() ? null : finder(directory).orElse(null);
            if (finder != null && (shortest == null || finder.missingFor().compareTo(shortest) < 0)) {
                shortest = finder.missingFor();
            }
        }
        return Optional.ofNullable(shortest);
    }

    /**
     * Asks for {@code name} in each of {@code directories} (highest layer first) whose names are
     * found by asking, until one has it; completes with whether one did (the name is in the store's
     * tree then), or with the origin's error.
     */
    public CompletableFuture<Boolean> find(List<Long> directories, String name) {
        CompletableFuture<Boolean> found = CompletableFuture.completedFuture(false);
        for (long directory : directories) {
            found = found.thenCompose(done -> done ? CompletableFuture.completedFuture(true) : find(directory, name));
        }
        return found;
    }

    private CompletableFuture<Boolean> find(long directoryId, String name) {
        Node directory = store.node(directoryId).filter(Node::isDirectory).orElse(null);
        EntryFinder finder = directory == null ? null : finder(directory).orElse(null);
        if (finder == null) {
            return CompletableFuture.completedFuture(false);
        }
        Name key = new Name(directoryId, name);
        Long until = missingUntil.getIfPresent(key);
        if (until != null && until - System.nanoTime() > 0) {
            return CompletableFuture.completedFuture(false);
        }
        if (store.child(directoryId, name).isPresent()) { // found by a question that has just ended
            return CompletableFuture.completedFuture(true);
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> running = asking.putIfAbsent(key, mine);
        if (running != null) {
            return running;
        }
        askers.execute(() -> {
            try {
                mine.complete(ask(directory, name, finder, key));
            } catch (IOException | RuntimeException e) {
                mine.completeExceptionally(e);
            } finally {
                asking.remove(key, mine);
            }
        });
        return mine;
    }

    private boolean ask(Node directory, String name, EntryFinder finder, Name key) throws IOException {
        String path = store.pathInArtifact(directory);
        Optional<IndexEntry> entry = finder.find(path.isEmpty() ? name : path + "/" + name);
        if (entry.isEmpty()) {
            missingUntil.put(key, System.nanoTime() + finder.missingFor().toNanos());
            return false;
        }
        store.addFound(directory, name, entry.get());
        return true;
    }

    private Optional<EntryFinder> finder(Node directory) {
        return finders.computeIfAbsent(directory.artifactId(), id -> store.artifact(id).flatMap(source::byName));
    }
}
