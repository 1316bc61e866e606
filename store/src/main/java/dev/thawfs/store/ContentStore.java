package dev.thawfs.store;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** File content in blob files: whether it is local, fetching it, and keeping it from eviction while used. */
final class ContentStore implements AutoCloseable {
    private final StoreLayout layout;
    private final Index index;
    private final Pins pins;
    private final ArtifactCatalog catalog;
    private final Materializer materializer;
    private final Runnable afterMaterialized;

    ContentStore(StoreLayout layout, Index index, Pins pins, ArtifactCatalog catalog, Materializer materializer,
            Runnable afterMaterialized) {
        this.layout = layout;
        this.index = index;
        this.pins = pins;
        this.catalog = catalog;
        this.materializer = materializer;
        this.afterMaterialized = afterMaterialized;
    }

    Path blobPath(Node file) {
        return layout.blobPath(file.blobId());
    }

    boolean isMaterialized(Node file) {
        byte[] record = index.get(index.blobs, RecordCodec.key(file.blobId()));
        if (record == null || !Blob.decode(file.blobId(), record).complete()) {
            return false;
        }
        try {
            return Files.size(layout.blobPath(file.blobId())) == file.size();
        } catch (IOException missing) {
            return false;
        }
    }

    Path ensurePlaceholder(Node file) throws IOException {
        Path path = layout.blobPath(file.blobId());
        if (!Files.exists(path)) {
            Files.createDirectories(path.getParent());
            try {
                Files.createFile(path);
            } catch (FileAlreadyExistsException raced) {
                // another thread made it first: same file
            }
        }
        return path;
    }

    CompletableFuture<Node> materialize(Node file, ContentSource source, Progress progress) {
        if (!file.isFile()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("node " + file.id() + " is not a regular file"));
        }
        if (isMaterialized(file)) {
            progress.fileDone(file);
            return CompletableFuture.completedFuture(file);
        }
        Optional<Artifact> artifact = catalog.artifact(file.artifactId());
        if (artifact.isEmpty()) {
            return CompletableFuture.failedFuture(new StoreException("node " + file.id() + " belongs to no artifact"));
        }
        try {
            CompletableFuture<Node> done = materializer.materialize(artifact.get(), file, source, progress, this::isMaterialized);
            done.thenRun(afterMaterialized);
            return done;
        } catch (RuntimeException e) { // the store is closing, or its index failed
            return CompletableFuture.failedFuture(e);
        }
    }

    CompletableFuture<Void> whenAvailable(Node file, long end, ContentSource source) {
        if (isMaterialized(file)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Node> materialization = materialize(file, source, Progress.NONE);
        CompletableFuture<Void> filled = materializer.whenFilled(file.blobId(), end);
        CompletableFuture<Void> settled = materialization.thenApply(done -> null);
        // a failed fill is reported once the fetch has ended, so it no longer counts as running
        return filled != null ? filled.exceptionallyCompose(error -> settled) : settled;
    }

    boolean isFetching(Node file) {
        return materializer.isFetching(file.blobId());
    }

    int fetchesRunning() {
        return materializer.fetchesRunning();
    }

    void pin(Node file) {
        pins.pin(file.blobId());
    }

    void unpin(Node file) {
        pins.unpin(file.blobId());
    }

    @Override
    public void close() {
        materializer.close();
    }
}
