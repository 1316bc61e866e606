package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;

/** A stream that reads in blocks: the single-byte read is one block read of one byte. */
abstract class BlockInputStream extends InputStream {
    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] buffer, int offset, int length) throws IOException;
}
