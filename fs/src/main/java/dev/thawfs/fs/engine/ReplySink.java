package dev.thawfs.fs.engine;

import java.nio.ByteBuffer;

/** Where replies go: {@code /dev/fuse}, written as one message from two buffers. */
@FunctionalInterface
interface ReplySink {
    /** Writes {@code first} then {@code second} (may be null); returns 0 or -errno. */
    int write(ByteBuffer first, ByteBuffer second);
}
