package dev.thawfs.fetcher;

import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;

/**
 * The system zlib's inflate calls. {@code java.util.zip.Inflater} cannot resume a deflate stream
 * at a block boundary that starts mid-byte ({@code inflatePrime}) nor say where block boundaries
 * are ({@code Z_BLOCK}), which a seek index needs both of. Public only because jnr-ffi implements it
 * in a class loader of its own.
 */
public interface Zlib {
    Zlib INSTANCE = LibraryLoader.create(Zlib.class).load("z");

    int Z_OK = 0;
    int Z_STREAM_END = 1;
    int Z_BUF_ERROR = -5;
    int Z_NO_FLUSH = 0;
    /** Stop at the end of each deflate block (and of a gzip header). */
    int Z_BLOCK = 5;
    /** sizeof(z_stream) on LP64. */
    int STREAM_SIZE = 112;

    String zlibVersion();

    int inflateInit2_(Pointer stream, int windowBits, String version, int streamSize);

    int inflate(Pointer stream, int flush);

    int inflateEnd(Pointer stream);

    int inflateReset2(Pointer stream, int windowBits);

    int inflatePrime(Pointer stream, int bits, int value);

    int inflateSetDictionary(Pointer stream, @In byte[] dictionary, int length);

    int inflateGetDictionary(Pointer stream, @Out byte[] dictionary, @Out int[] length);
}
