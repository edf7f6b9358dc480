package io.shears.data;

/**
 * One batch of preprocessed images, ready to be wrapped into a tensor.
 *
 * <p>{@code data} is NCHW: the value of channel {@code c}, row {@code y}, column {@code x} of sample {@code n} is at
 * {@code ((n * channels + c) * height + y) * width + x}. {@code labels[n]} is the class index of sample {@code n} (an
 * index into {@link Dataset#classes()}), and {@code indices[n]} its index within the split, for reports.
 *
 * <p>The arrays are the batch's own: a new batch never reuses them, so a consumer may keep them.
 */
public record Batch(Split split, float[] data, int[] labels, int[] indices, ImageShape shape) {
    public Batch {
        if (labels.length != indices.length || (long) labels.length * shape.size() != data.length) {
            throw new IllegalArgumentException("batch of " + labels.length + " images of " + shape
                    + " needs " + (long) labels.length * shape.size() + " floats, has " + data.length);
        }
    }

    /** Number of samples in this batch (the last batch of an epoch may be smaller than the batch size). */
    public int size() {
        return labels.length;
    }

    /** {@code [size, channels, height, width]}. */
    public long[] nchw() {
        return shape.nchw(size());
    }
}
