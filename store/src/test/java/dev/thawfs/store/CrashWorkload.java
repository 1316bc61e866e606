package dev.thawfs.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The child process of {@link CrashTest}: imports a directory as an artifact and materializes
 * every file, until the test kills it with SIGKILL at a random moment.
 */
public final class CrashWorkload {
    private CrashWorkload() {
    }

    public static void main(String[] args) throws Exception {
        DirectorySource source = new DirectorySource(Path.of(args[1]));
        try (Store store = Store.open(Path.of(args[0]), StoreOptions.defaults().withConcurrency(4))) {
            Artifact artifact = store.importArtifact("file:" + args[1], "1", source.entries().iterator());
            System.out.println("imported");
            System.out.flush();
            List<CompletableFuture<Node>> all = new ArrayList<>();
            for (Node directory : store.children(artifact.rootId(), "", Integer.MAX_VALUE)) {
                for (Node file : store.children(directory.id(), "", Integer.MAX_VALUE)) {
                    all.add(store.materialize(file, source, Progress.NONE));
                }
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get();
            System.out.println("done");
        }
    }
}
