package dev.thawfs.fs.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NativeFilesTest {
    @TempDir
    Path work;

    /** Like user.thawfs.status of a busy mount: the value grows between the size query and the read. */
    @Test
    void getxattrReadsAValueThatGrowsWhileItIsRead() throws Exception {
        Path file = Files.writeString(work.resolve("file"), "x");
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        String shortValue = "s";
        String longValue = "l".repeat(4000);
        view.write("growing", StandardCharsets.UTF_8.encode(shortValue));
        AtomicBoolean reading = new AtomicBoolean(true);
        Thread writer = new Thread(() -> {
            for (boolean grow = true; reading.get(); grow = !grow) {
                try {
                    view.write("growing", StandardCharsets.UTF_8.encode(grow ? longValue : shortValue));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
        writer.start();
        try {
            long end = System.nanoTime() + 2_000_000_000L;
            for (int reads = 0; reads < 20_000 && System.nanoTime() < end; reads++) {
                String value = NativeFiles.getxattr(file, "user.growing");
                assertTrue(Set.of(shortValue, longValue).contains(value), value);
            }
        } finally {
            reading.set(false);
            writer.join();
        }
    }
}
