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
    /**
     * The bytes one read into the heap may take. Samples kept one after another are read with one call (a batch of 64
     * small images read one by one made 64 calls), and the bound keeps each reading thread's buffer small.
     */
    static final int RUN_BYTES = 1 << 20;
    private final Path directory;
    private final long maxBytes;
    private final int sampleFloats;
    private final int sampleBytes;
    /** Per split and sample: 1 + the sample's offset in the file, 0 while it is not kept. */
    private final AtomicLongArray train;
    private final AtomicLongArray val;
    /** How many samples one read into the heap takes at most: {@value #RUN_BYTES} bytes' worth, and at least one. */
    private final int runLimit;
    /**
     * One run's bytes per reading thread, reused: a sample of 3×224×224 floats is 600 KB, and a fresh array per read
     * made reading it back cost as much as decoding it again.
     */
    private final ThreadLocal<ByteBuffer> buffer;
    private Spool file;
    private volatile boolean closed;

    PreprocessedCache(Path directory, long maxBytes, int sampleFloats, int trainCount, int valCount) {
        this.directory = directory;
        this.maxBytes = maxBytes;
        this.sampleFloats = sampleFloats;
        this.sampleBytes = sampleFloats * Float.BYTES;
        this.train = new AtomicLongArray(maxBytes > 0 ? trainCount : 0);
        this.val = new AtomicLongArray(maxBytes > 0 ? valCount : 0);
        this.runLimit = Math.max(1, RUN_BYTES / Math.max(1, sampleBytes));
        this.buffer = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(runLimit * sampleBytes)
                .order(ByteOrder.LITTLE_ENDIAN));
    }

    /** For each of samples {@code indices} of {@code split}: where it is kept (an opaque position), or 0 if it is not. */
    long[] positions(Split split, int[] indices) {
        long[] positions = new long[indices.length];
        if (maxBytes > 0) {
            AtomicLongArray offsets = offsets(split);
            for (int i = 0; i < indices.length; i++) {
                positions[i] = offsets.get(indices[i]);
            }
        }
        return positions;
    }

    /**
     * Copies each kept sample among {@code positions} into {@code into}, sample {@code i} at
     * {@code i * sampleFloats}, and leaves the others' floats as they are.
     */
    void read(long[] positions, float[] into) {
        forEachRun(positions, runLimit, (from, run) -> {
            ByteBuffer raw = buffer.get().clear().limit(run * sampleBytes);
            spool().read(positions[from] - 1, raw);
            raw.flip().asFloatBuffer().get(into, from * sampleFloats, run * sampleFloats);
        });
    }

    /**
     * Copies the samples at {@code positions}, every one of them kept, into {@code into} from its position, as
     * little-endian floats, and moves its position past them: from the file into the buffer without a copy on the heap.
     * The caller ({@link Batch#writeTo}) has checked that they fit.
     */
    void read(long[] positions, ByteBuffer into) {
        int at = into.position();
        forEachRun(positions, Integer.MAX_VALUE, (from, run) ->
                spool().read(positions[from] - 1, into.slice(at + from * sampleBytes, run * sampleBytes)));
        into.position(at + positions.length * sampleBytes);
    }

    /** Calls {@code action} once per run of at most {@code limit} samples kept back to back in the file, or not kept. */
    private void forEachRun(long[] positions, int limit, RunAction action) {
        for (int from = 0; from < positions.length; ) {
            int run = 1;
            if (positions[from] != 0) {
                while (run < limit && from + run < positions.length
                        && positions[from + run] == positions[from] + (long) run * sampleBytes) {
                    run++;
                }
                if (closed) {
                    throw new IllegalStateException("the dataset was closed before its cached images were read");
                }
                action.read(from, run);
            }
            from += run;
        }
    }

    private interface RunAction {
        void read(int from, int run);
    }

    /** Keeps sample {@code index} of {@code split} from {@code from[at ..]}, unless it is kept or the file is full. */
    synchronized void keep(Split split, int index, float[] from, int at) {
        AtomicLongArray offsets = offsets(split);
        if (maxBytes == 0 || offsets.get(index) != 0 || (file != null ? file.size() : 0) + sampleBytes > maxBytes) {
            return;
        }
        if (file == null) {
            file = new Spool(directory);
        }
        ByteBuffer raw = ByteBuffer.allocate(sampleBytes).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(from, at, sampleFloats);
        long offset = file.append(raw.array(), sampleBytes);
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
        closed = true;
        if (file != null) {
            file.close();
        }
    }
}
