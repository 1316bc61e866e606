package dev.thawfs.fetcher;

import java.io.IOException;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * One zlib inflate stream with its input and output buffers in native memory. Not thread-safe;
 * {@link #close} frees the native state.
 */
final class NativeInflater implements AutoCloseable {
    /** windowBits for a gzip member, header and trailer included. */
    static final int GZIP = 15 + 16;
    /** windowBits for bare deflate data: resuming at a checkpoint. */
    static final int RAW = -15;
    static final int WINDOW_SIZE = 32 << 10;

    private static final int BUFFER = 64 << 10;
    // z_stream field offsets on LP64
    private static final int NEXT_IN = 0;
    private static final int AVAIL_IN = 8;
    private static final int NEXT_OUT = 24;
    private static final int AVAIL_OUT = 32;
    private static final int MSG = 48;
    private static final int DATA_TYPE = 88;

    private final Pointer stream;
    private final Pointer in;
    private final Pointer out;
    private final String uri;
    private long consumed;
    private boolean open;

    NativeInflater(int windowBits, String uri) throws IOException {
        Runtime runtime = Runtime.getRuntime(Zlib.INSTANCE);
        this.stream = Memory.allocateDirect(runtime, Zlib.STREAM_SIZE, true);
        this.in = Memory.allocateDirect(runtime, BUFFER);
        this.out = Memory.allocateDirect(runtime, BUFFER);
        this.uri = uri;
        check(Zlib.INSTANCE.inflateInit2_(stream, windowBits, Zlib.INSTANCE.zlibVersion(), Zlib.STREAM_SIZE), "init");
        open = true;
    }

    /** Refuses to go on without the system zlib, which a seek index needs, saying so. */
    static void checkAvailable() throws SeekIndex.Unusable {
        try {
            Zlib.INSTANCE.zlibVersion();
        } catch (LinkageError e) {
            throw new SeekIndex.Unusable("the system zlib (libz.so.1) cannot be loaded (" + e + ")");
        }
    }

    /** Starts a new stream (the next gzip member, say), keeping what input is left. */
    void reset(int windowBits) throws IOException {
        check(Zlib.INSTANCE.inflateReset2(stream, windowBits), "reset");
    }

    /** The {@code bits} high bits of the byte before a checkpoint, which its first block starts in. */
    void prime(int bits, int value) throws IOException {
        check(Zlib.INSTANCE.inflatePrime(stream, bits, value), "prime");
    }

    void setDictionary(byte[] window) throws IOException {
        check(Zlib.INSTANCE.inflateSetDictionary(stream, window, window.length), "set the window");
    }

    /** The last (up to) 32 KiB of output: what the data after this point may refer back to. */
    byte[] window() throws IOException {
        byte[] window = new byte[WINDOW_SIZE];
        int[] length = new int[1];
        check(Zlib.INSTANCE.inflateGetDictionary(stream, window, length), "get the window");
        return length[0] == window.length ? window : java.util.Arrays.copyOf(window, length[0]);
    }

    int remainingInput() {
        return stream.getInt(AVAIL_IN);
    }

    /** At most {@link #inputCapacity} bytes, given when {@link #remainingInput} is 0. */
    void setInput(byte[] bytes, int offset, int length) {
        in.put(0, bytes, offset, length);
        stream.putAddress(NEXT_IN, in.address());
        stream.putInt(AVAIL_IN, length);
    }

    static int inputCapacity() {
        return BUFFER;
    }

    /** Drops {@code length} bytes of the input left (a gzip trailer that raw inflation leaves). */
    void skipInput(int length) {
        stream.putAddress(NEXT_IN, stream.getAddress(NEXT_IN) + length);
        stream.putInt(AVAIL_IN, remainingInput() - length);
        consumed += length;
    }

    /** Input bytes consumed since this inflater began. */
    long consumed() {
        return consumed;
    }

    /** The outcome of one {@link #inflate} call. */
    record Result(int produced, boolean streamEnd) {
    }

    /**
     * Inflates into {@code target}; with {@code stopAtBlocks}, returns at the end of each deflate
     * block too. Produces nothing (no error) when it needs more input.
     */
    Result inflate(byte[] target, int offset, int length, boolean stopAtBlocks) throws IOException {
        int room = Math.min(length, BUFFER);
        stream.putAddress(NEXT_OUT, out.address());
        stream.putInt(AVAIL_OUT, room);
        int before = remainingInput();
        int status = Zlib.INSTANCE.inflate(stream, stopAtBlocks ? Zlib.Z_BLOCK : Zlib.Z_NO_FLUSH);
        consumed += before - remainingInput();
        int produced = room - stream.getInt(AVAIL_OUT);
        out.get(0, target, offset, produced);
        if (status != Zlib.Z_OK && status != Zlib.Z_STREAM_END && status != Zlib.Z_BUF_ERROR) {
            check(status, "inflate");
        }
        return new Result(produced, status == Zlib.Z_STREAM_END);
    }

    /**
     * Whether the last {@link #inflate} stopped at the end of a block that is not the stream's
     * last, or at the end of a gzip header: a point to resume at.
     */
    boolean atBlockBoundary() {
        int dataType = stream.getInt(DATA_TYPE);
        return (dataType & 128) != 0 && (dataType & 64) == 0;
    }

    /** Bits of the last consumed input byte not yet used (0 to 7), at a block boundary. */
    int pendingBits() {
        return stream.getInt(DATA_TYPE) & 7;
    }

    private void check(int status, String what) throws IOException {
        if (status != Zlib.Z_OK) {
            Pointer message = stream.getPointer(MSG);
            throw new BadArtifactException(uri, null, "zlib could not " + what + " (" + status
                    + (message == null ? "" : ": " + message.getString(0)) + ")");
        }
    }

    @Override
    public void close() {
        if (open) {
            open = false;
            Zlib.INSTANCE.inflateEnd(stream);
        }
    }
}
