package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * What a tar's header scan fetched, kept in a sparse scratch file at the object's own offsets, so
 * that the entries it held (the small files between headers, the first bytes of a large one) cost
 * no second request: a range read from here comes from the file where it was kept and is fetched
 * only in the gaps, a large gap in parallel parts. Ranges kept never overlap: the scan's windows
 * do not.
 */
final class KeptRanges implements SequentialStream.Keeper, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(KeptRanges.class.getName());

    /** Bytes {@code [start, end)}, in the file once {@code written} is true; false if their fetch or write failed. */
    private record Kept(long start, long end, CompletableFuture<Boolean> written) {
    }

    private final RangeReader reader;
    private final ObjectInfo object;
    private final FileChannel file;
    private final ConcurrentSkipListMap<Long, Kept> kept = new ConcurrentSkipListMap<>();

    KeptRanges(RangeReader reader, ObjectInfo object, Path file) throws IOException {
        this.reader = reader;
        this.object = object;
        this.file = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
    }

    @Override
    public void keep(long offset, int length, CompletableFuture<byte[]> window) {
        kept.put(offset, new Kept(offset, offset + length,
                window.handle((bytes, error) -> error == null && write(offset, bytes))));
    }

    private boolean write(long offset, byte[] bytes) {
        try {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                file.write(buffer, offset + buffer.position());
            }
            return true;
        } catch (IOException e) { // those bytes are fetched again when asked for
            LOG.log(System.Logger.Level.DEBUG, "could not keep " + bytes.length + " bytes of "
                    + reader.store().uri(object.key()) + " at " + offset + ": " + e);
            return false;
        }
    }

    /** Whether any of {@code [start, end)} is kept, or on its way. */
    boolean holdsAny(long start, long end) {
        Map.Entry<Long, Kept> before = kept.floorEntry(end - 1);
        return before != null && before.getValue().end() > start;
    }

    /** Bytes {@code [start, end)} onto {@code out}. */
    void copy(long start, long end, OutputStream out) throws IOException {
        try (InputStream in = open(start, end)) {
            in.transferTo(out);
        }
    }

    /** Bytes {@code [start, end)}: kept ones from the file, the others fetched. */
    InputStream open(long start, long end) {
        return new BlockInputStream() {
            private long position = start;
            private InputStream part = InputStream.nullInputStream();

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                for (int n; ; ) {
                    if ((n = part.read(buffer, offset, length)) >= 0) {
                        position += n;
                        return n;
                    }
                    if (!nextPart()) {
                        return -1;
                    }
                }
            }

            @Override
            public long transferTo(OutputStream out) throws IOException {
                long transferred = 0;
                do {
                    long n = part.transferTo(out);
                    position += n;
                    transferred += n;
                } while (nextPart());
                return transferred;
            }

            /** Moves on to the part at the position; false at the end. */
            private boolean nextPart() throws IOException {
                part.close();
                if (position >= end) {
                    return false;
                }
                Map.Entry<Long, Kept> at = kept.floorEntry(position);
                Kept holding = at == null || at.getValue().end() <= position ? null : at.getValue();
                if (holding != null && await(holding)) {
                    part = fromFile(position, Math.min(end, holding.end()));
                    return true;
                }
                Map.Entry<Long, Kept> after = kept.higherEntry(position);
                long gapEnd = holding != null ? holding.end() : after == null ? end : after.getKey();
                part = SequentialStream.inParts(reader, object, position, Math.min(end, gapEnd));
                return true;
            }

            @Override
            public void close() throws IOException {
                part.close();
            }
        };
    }

    private static boolean await(Kept holding) throws IOException {
        try {
            return holding.written().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a scanned window");
        } catch (java.util.concurrent.ExecutionException failed) { // a write that threw: fetch those bytes
            return false;
        }
    }

    /** Bytes {@code [start, end)} of the scratch file. */
    private InputStream fromFile(long start, long end) {
        return new BlockInputStream() {
            private long position = start;

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (position >= end) {
                    return -1;
                }
                int n = file.read(ByteBuffer.wrap(buffer, offset, (int) Math.min(length, end - position)), position);
                if (n < 0) {
                    throw new IOException("the scratch file of " + reader.store().uri(object.key())
                            + " ends early at " + position + " (removed meanwhile?)");
                }
                position += n;
                return n;
            }
        };
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a scratch file: " + e);
        }
    }
}
