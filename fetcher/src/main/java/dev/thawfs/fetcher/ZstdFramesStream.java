package dev.thawfs.fetcher;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import java.io.IOException;
import java.io.InputStream;

/**
 * The decompressed bytes of a zstd archive, frame after frame, each decoded on its own: either
 * from the start, noting a {@link SeekIndex.Checkpoint} at the first frame start after every
 * {@code spacing} bytes of input (no window: a frame needs nothing before it), or resumed at such
 * a checkpoint.
 */
final class ZstdFramesStream extends DecompressedStream {
    private static final byte[] NO_WINDOW = new byte[0];

    private final InputStream compressed;
    private final ZstdFrameStream frames;
    private final Checkpoints checkpoints;
    private final long spacing;
    private final String uri;
    private long position;
    private long lastCheckpoint = -1;
    private int frameCount;
    /** The current frame's decoder; null between frames. */
    private InputStream frame;
    private boolean ended;

    private ZstdFramesStream(InputStream compressed, long inputBase, long position, String uri, long spacing,
            Checkpoints checkpoints) {
        this.compressed = compressed;
        this.frames = new ZstdFrameStream(compressed, inputBase, uri);
        this.position = position;
        this.uri = uri;
        this.spacing = spacing;
        this.checkpoints = checkpoints;
    }

    static ZstdFramesStream fromStart(InputStream compressed, String uri, long spacing, Checkpoints checkpoints) {
        return new ZstdFramesStream(compressed, 0, 0, uri, spacing, checkpoints);
    }

    /** From {@code checkpoint}: {@code compressed} starts at the frame it is at. */
    static ZstdFramesStream resume(InputStream compressed, SeekIndex.Checkpoint checkpoint, String uri) {
        return new ZstdFramesStream(compressed, checkpoint.in(), checkpoint.out(), uri, 0, null);
    }

    /** A checkpoint of a zstd archive: where a frame starts, and the output before it. */
    static boolean isFrameStart(SeekIndex.Checkpoint checkpoint) {
        return checkpoint.bits() == 0 && checkpoint.deflatedWindow().length == 0;
    }

    @Override
    long position() {
        return position;
    }

    /** Frames decoded so far (skippable ones not counted). */
    int frameCount() {
        return frameCount;
    }

    @Override
    int readSome(byte[] buffer, int offset, int length) throws IOException {
        if (length == 0) {
            return 0;
        }
        while (!ended) {
            if (frame == null && !startFrame()) {
                ended = true;
                return -1;
            }
            int n;
            try {
                n = frame.read(buffer, offset, length);
            } catch (BadArtifactException | ObjectChangedException | TransientFetchException e) {
                throw e;
            } catch (IOException e) {
                throw new BadArtifactException(uri, "not a zstd stream (" + e.getMessage() + ")", e);
            }
            if (n > 0) {
                position += n;
                return n;
            }
            if (n < 0) {
                frame.close();
                frame = null;
            }
        }
        return -1;
    }

    private boolean startFrame() throws IOException {
        if (!frames.nextFrame()) {
            return false;
        }
        long start = frames.frameStart();
        if (checkpoints != null && (lastCheckpoint < 0 || start - lastCheckpoint >= spacing)) {
            lastCheckpoint = start;
            checkpoints.add(new SeekIndex.Checkpoint(start, 0, position, NO_WINDOW));
        }
        frameCount++;
        frame = new ZstdInputStreamNoFinalizer(frames);
        return true;
    }

    @Override
    public void close() throws IOException {
        if (frame != null) {
            frame.close();
        }
        compressed.close();
    }
}
