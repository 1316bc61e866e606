package dev.thawfs.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Blob paths are part of the store's format: stores written by earlier versions must keep resolving. */
class StoreLayoutTest {
    @TempDir
    Path root;

    @Test
    void blobPathsKeepTheirFormat() {
        try (StoreLayout layout = StoreLayout.open(root)) {
            for (long id : new long[] {0, 1, 0xff, 0x1234, 0xabcdef, Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
                assertEquals(layout.blobs.resolve(String.format("%02x/%02x/%016x", id & 0xff, (id >>> 8) & 0xff, id)),
                        layout.blobPath(id), "blob " + id);
            }
        }
    }
}
