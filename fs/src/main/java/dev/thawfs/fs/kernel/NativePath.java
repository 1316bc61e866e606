package dev.thawfs.fs.kernel;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/** NUL-terminated UTF-8 bytes of a path or string, as the kernel reads them. */
public final class NativePath {
    private NativePath() {
    }

    public static byte[] of(Path path) {
        return of(path.toString());
    }

    public static byte[] of(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(utf8, utf8.length + 1);
    }
}
