package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store on a real, deliberately tiny filesystem (a 6 MiB tmpfs) that fills up. */
class DiskFullTest {
    @TempDir
    Path work;

    @Test
    void aFullDiskFailsThatEntryWithNoSpaceAndTheStoreStaysUsable() throws Exception {
        Path small = Files.createDirectory(work.resolve("small"));
        TestMounts.tmpfs(small, "size=6m");
        try {
            Path source = Files.createDirectories(work.resolve("src"));
            Random random = new Random(3);
            byte[] big = new byte[8 << 20];
            random.nextBytes(big);
            Files.write(source.resolve("big"), big);
            byte[] little = new byte[64 << 10];
            random.nextBytes(little);
            Files.write(source.resolve("little"), little);
            DirectorySource content = new DirectorySource(source);

            try (Store store = Store.open(small.resolve("store"), StoreOptions.defaults())) {
                Artifact artifact = store.importArtifact("file:/src", "1", content.entries().iterator());
                Node bigNode = store.child(artifact.rootId(), "big").orElseThrow();
                Node littleNode = store.child(artifact.rootId(), "little").orElseThrow();

                // a source that passes the store's write error on in words of its own: the disk is
                // found full by what failed, not by the text of a message
                ContentSource rewording = (a, node, target) -> {
                    try {
                        content.copy(a, node, target);
                    } catch (java.io.IOException e) {
                        throw new java.io.IOException("Übertragung abgebrochen", e);
                    }
                };
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> store.materialize(bigNode, rewording, Progress.NONE).get());
                MaterializeException cause = assertInstanceOf(MaterializeException.class, e.getCause());
                assertEquals(MaterializeException.Reason.NO_SPACE, cause.reason());
                assertTrue(cause.getMessage().contains("disk is full"), cause.getMessage());
                assertFalse(store.isMaterialized(bigNode));

                assertEquals(0, Files.size(store.blobPath(bigNode)), "the partial content's space is given back");
                store.materialize(littleNode, content, Progress.NONE).get();
                assertTrue(store.isMaterialized(littleNode), "the store goes on working");
                assertEquals(List.of(artifact), store.artifacts());
            }
        } finally {
            TestMounts.unmount(small);
        }
    }
}
