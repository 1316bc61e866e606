package dev.thawfs.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/** The blob file as a content source sees it: sequential writes, counted for verification, progress and readers. */
final class CountingChannel implements WritableByteChannel {
    private final FileChannel file;
    private final Progress progress;
    private final FillState fill;
    private long written;
    private IOException writeFailure;

    CountingChannel(FileChannel file, Progress progress, FillState fill) {
        this.file = file;
        this.progress = progress;
        this.fill = fill;
    }

    @Override
    public int write(ByteBuffer source) throws IOException {
        int n;
        try {
            n = file.write(source);
        } catch (IOException e) {
            writeFailure = e;
            throw e;
        }
        written += n;
        progress.bytes(n);
        fill.advance(n);
        return n;
    }

    long written() {
        return written;
    }

    /** The store's own write error, however the content source passed it on; null if none. */
    IOException writeFailure() {
        return writeFailure;
    }

    @Override
    public boolean isOpen() {
        return file.isOpen();
    }

    @Override
    public void close() {
        // the materializer owns the file
    }
}
