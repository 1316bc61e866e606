package dev.thawfs.fetcher;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.function.Supplier;

/** Counts what passes through, and lets no more than a limit pass: the limit's error comes instead. */
final class CountingOutputStream extends FilterOutputStream {
    private final long limit;
    private final Supplier<IOException> overLimit;
    private long count;

    CountingOutputStream(OutputStream out, long limit, Supplier<IOException> overLimit) {
        super(out);
        this.limit = limit;
        this.overLimit = overLimit;
    }

    @Override
    public void write(int b) throws IOException {
        if (count >= limit) {
            throw overLimit.get();
        }
        out.write(b);
        count++;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        if (length > limit - count) {
            throw overLimit.get();
        }
        out.write(bytes, offset, length);
        count += length;
    }

    long count() {
        return count;
    }
}
