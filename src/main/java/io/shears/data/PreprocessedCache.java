package io.shears.data;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Samples as they come out of the {@link Preprocessor}, kept in a private file of their own next to the spool, so
 * that a run that reads the same images epoch after epoch (fine-tuning, its validation, the evaluations) decodes and
 * preprocesses each of them once. A sample is kept the first time a batch needs it; its floats are stored bit for
 * bit, so a batch served from the cache equals one decoded again. Once the file would pass {@code maxBytes}, further
 * samples are decoded every time, as without a cache; {@code maxBytes} 0 keeps nothing and creates no file.
 *
 * <p>Safe for several threads: reads are positional, the first keeper of a sample wins, and a sample's offset is
 * published only after its bytes are written.
 */
final class PreprocessedCache implements AutoCloseable {
    private final Path directory;
    private final long maxBytes;
    private final int sampleFloats;
    /** Per split and sample: 1 + the sample's offset in the file, 0 while it is not kept. */
    private final AtomicLongArray train;
    private final AtomicLongArray val;
    /**
     * One sample's bytes per reading thread, reused: a sample of 3×224×224 floats is 600 KB, and a fresh array per
     * read made reading it back cost as much as decoding it again.
     */
    private final ThreadLocal<ByteBuffer> buffer;
    private Spool file;

    PreprocessedCache(Path directory, long maxBytes, int sampleFloats, int trainCount, int valCount) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.sampleFloats = sampleFloats;
        this.train = new AtomicLongArray(maxBytes > 0 ? trainCount : 0);
        this.val = new AtomicLongArray(maxBytes > 0 ? valCount : 0);
        this.buffer = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(sampleFloats * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN));
    }

    /** Copies sample {@code index} of {@code split} into {@code into[at ..]} if it is kept; false when it is not. */
    boolean read(Split split, int index, float[] into, int at) {
        if (maxBytes == 0) {
            return false;
        }
        long kept = offsets(split).get(index);
        if (kept == 0) {
            return false;
        }
        ByteBuffer raw = buffer.get().clear();
        spool().read(kept - 1, raw);
        raw.flip().asFloatBuffer().get(into, at, sampleFloats);
        return true;
    }

    /** Keeps sample {@code index} of {@code split} from {@code from[at ..]}, unless it is kept or the file is full. */
    synchronized void keep(Split split, int index, float[] from, int at) {
        AtomicLongArray offsets = offsets(split);
        int bytes = sampleFloats * Float.BYTES;
        if (maxBytes == 0 || offsets.get(index) != 0 || (file != null ? file.size() : 0) + bytes > maxBytes) {
            return;
        }
        if (file == null) {
            file = new Spool(directory);
        }
        ByteBuffer raw = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(from, at, sampleFloats);
        long offset = file.append(raw.array(), bytes);
        offsets.set(index, offset + 1);
    }

    private synchronized Spool spool() {
        return file;
    }

    private AtomicLongArray offsets(Split split) {
        return split == Split.TRAIN ? train : val;
    }

    /** Deletes the file. */
    @Override
    public synchronized void close() {
        if (file != null) {
            file.close();
        }
    }
}
