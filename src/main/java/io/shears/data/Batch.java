package io.shears.data;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One batch of preprocessed images, ready to be wrapped into a tensor.
 *
 * <p>{@link #data()} is NCHW: the value of channel {@code c}, row {@code y}, column {@code x} of sample {@code n} is
 * at {@code ((n * channels + c) * height + y) * width + x}. {@code labels[n]} is the class index of sample {@code n}
 * (an index into {@link Dataset#classes()}), and {@code indices[n]} its index within the split, for reports.
 *
 * <p>The arrays are the batch's own: a new batch never reuses them, so a consumer may keep them. A batch whose images
 * are all in the dataset's cache reads them from it when they are first asked for, by {@link #data()} or
 * {@link #writeTo(ByteBuffer)}, so ask before the dataset is closed.
 */
public final class Batch {
    private final Split split;
    private final int[] labels;
    private final int[] indices;
    private final ImageShape shape;
    private final PreprocessedCache cache;
    private final long[] cachePositions;
    private volatile float[] data;

    /** A batch of the given floats, whose length must be {@code labels.length * shape.size()}. */
    public Batch(Split split, float[] data, int[] labels, int[] indices, ImageShape shape) {
        this(split, data, labels, indices, shape, null, null);
        if ((long) labels.length * shape.size() != data.length) {
            throw new IllegalArgumentException("batch of " + labels.length + " images of " + shape
                    + " needs " + (long) labels.length * shape.size() + " floats, has " + data.length);
        }
    }

    private Batch(Split split, float[] data, int[] labels, int[] indices, ImageShape shape, PreprocessedCache cache,
                  long[] cachePositions) {
        if (labels.length != indices.length) {
            throw new IllegalArgumentException(labels.length + " labels for " + indices.length + " images");
        }
        this.split = split;
        this.data = data;
        this.labels = labels;
        this.indices = indices;
        this.shape = shape;
        this.cache = cache;
        this.cachePositions = cachePositions;
    }

    /** A batch of samples that are all kept in {@code cache}, at {@code positions}; read when first asked for. */
    static Batch cached(Split split, PreprocessedCache cache, long[] positions, int[] labels, int[] indices,
                        ImageShape shape) {
        return new Batch(split, null, labels, indices, shape, cache, positions);
    }

    public Split split() {
        return split;
    }

    /** The images' floats, NCHW; read from the cache on the first call when the batch is served from it. */
    public float[] data() {
        float[] floats = data;
        if (floats == null) {
            floats = new float[floatCount()];
            cache.read(cachePositions, floats);
            data = floats;
        }
        return floats;
    }

    /**
     * Writes the images' floats, as {@link #data()} has them, into {@code into} from its position in the buffer's byte
     * order, and moves its position past them. A batch served from the cache whose floats were not asked for yet goes
     * from the cache's file straight into a little-endian buffer: a direct buffer handed to a runtime then holds the
     * batch without a float array made and copied on the way.
     *
     * @throws BufferOverflowException when {@code into} has fewer than {@code 4 * size() * shape().size()} bytes left
     */
    public void writeTo(ByteBuffer into) {
        int bytes = Math.multiplyExact(floatCount(), Float.BYTES);
        if (into.remaining() < bytes) {
            throw new BufferOverflowException();
        }
        if (data == null && into.order() == ByteOrder.LITTLE_ENDIAN) {
            cache.read(cachePositions, into);
            return;
        }
        into.asFloatBuffer().put(data());
        into.position(into.position() + bytes);
    }

    public int[] labels() {
        return labels;
    }

    public int[] indices() {
        return indices;
    }

    public ImageShape shape() {
        return shape;
    }

    /** Number of samples in this batch (the last batch of an epoch may be smaller than the batch size). */
    public int size() {
        return labels.length;
    }

    /** How many floats the images take: {@code size() * shape().size()}. */
    public int floatCount() {
        return Math.toIntExact((long) size() * shape.size());
    }

    /** {@code [size, channels, height, width]}. */
    public long[] nchw() {
        return shape.nchw(size());
    }
}
