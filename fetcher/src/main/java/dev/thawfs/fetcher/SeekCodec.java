package dev.thawfs.fetcher;

import java.io.IOException;
import java.io.InputStream;

/**
 * The compressions a seek index can resume in: gzip at deflate block boundaries (with the
 * window before each), zstd at frame starts (frames decode on their own; an archive of one
 * frame has a checkpoint at its start only).
 */
enum SeekCodec {
    GZIP(TarArtifact.Compression.GZIP) {
        @Override
        DecompressedStream fromStart(InputStream compressed, String uri, long spacing,
                DecompressedStream.Checkpoints checkpoints) throws IOException {
            return GzipInflaterStream.fromStart(compressed, uri, spacing, checkpoints);
        }

        @Override
        DecompressedStream resume(InputStream compressed, SeekIndex index, SeekIndex.Checkpoint checkpoint, String uri)
                throws IOException {
            return GzipInflaterStream.resume(compressed, checkpoint, index.window(checkpoint), uri);
        }

        @Override
        void checkAvailable() throws SeekIndex.Unusable {
            NativeInflater.checkAvailable();
        }
    },
    ZSTD(TarArtifact.Compression.ZSTD) {
        @Override
        DecompressedStream fromStart(InputStream compressed, String uri, long spacing,
                DecompressedStream.Checkpoints checkpoints) {
            return ZstdFramesStream.fromStart(compressed, uri, spacing, checkpoints);
        }

        @Override
        DecompressedStream resume(InputStream compressed, SeekIndex index, SeekIndex.Checkpoint checkpoint, String uri)
                throws IOException {
            if (!ZstdFramesStream.isFrameStart(checkpoint)) {
                throw new BadArtifactException(uri, null, "its seek index has a checkpoint within a zstd frame:"
                        + " it was built for another compression (rebuild it with thawfs index)");
            }
            return ZstdFramesStream.resume(compressed, checkpoint, uri);
        }

        @Override
        void checkAvailable() {
            // zstd-jni carries its native library
        }
    };

    /** How the archive is streamed when not through its index (its sparse files). */
    final TarArtifact.Compression compression;

    SeekCodec(TarArtifact.Compression compression) {
        this.compression = compression;
    }

    /** From the archive's first byte, handing a checkpoint to {@code checkpoints} every {@code spacing} input bytes. */
    abstract DecompressedStream fromStart(InputStream compressed, String uri, long spacing,
            DecompressedStream.Checkpoints checkpoints) throws IOException;

    /** From {@code checkpoint}: {@code compressed} starts at {@link SeekIndex.Checkpoint#fetchFrom}. */
    abstract DecompressedStream resume(InputStream compressed, SeekIndex index, SeekIndex.Checkpoint checkpoint,
            String uri) throws IOException;

    /** Refuses when the native library the codec needs cannot be loaded. */
    abstract void checkAvailable() throws SeekIndex.Unusable;

    /** The codec of an archive format, if a seek index can be built for it. */
    static java.util.Optional<SeekCodec> of(ArchiveFormat format) {
        return switch (format) {
            case TAR_GZ -> java.util.Optional.of(GZIP);
            case TAR_ZST -> java.util.Optional.of(ZSTD);
            default -> java.util.Optional.empty();
        };
    }
}
