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
        DirectorySource files = new DirectorySource(Path.of(args[1]));
        // A little time per file spreads completions over many group commits, so kills land
        // between commits and not only before the first or after the last.
        ContentSource source = (artifact, node, target) -> {
            try {
                Thread.sleep(3);
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
            files.copy(artifact, node, target);
        };
        try (Store store = Store.open(Path.of(args[0]), StoreOptions.defaults().withConcurrency(4))) {
            Artifact artifact = store.importArtifact("file:" + args[1], "1", files.entries().iterator());
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
