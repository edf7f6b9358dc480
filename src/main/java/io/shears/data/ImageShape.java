package io.shears.data;

/** The shape of one preprocessed image, channels first. */
public record ImageShape(int channels, int height, int width) {
    public ImageShape {
        if (channels <= 0 || height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image shape must be positive: " + channels + "x" + height + "x"
                    + width);
        }
    }

    /** Floats per image: channels × height × width. */
    public int size() {
        return channels * height * width;
    }

    /** {@code [n, channels, height, width]}. */
    public long[] nchw(int n) {
        return new long[] {n, channels, height, width};
    }

    @Override
    public String toString() {
        return channels + "x" + height + "x" + width;
    }
}
