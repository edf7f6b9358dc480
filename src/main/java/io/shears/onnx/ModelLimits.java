package io.shears.onnx;

/**
 * Bounds on what a reader accepts, so that a hostile or broken upload fails fast instead of exhausting memory.
 *
 * @param maxBytes      largest model (or sum of a bundle's extracted files) in bytes
 * @param maxDimension  largest single tensor dimension
 * @param maxElements   largest element count of one tensor
 */
public record ModelLimits(long maxBytes, long maxDimension, long maxElements) {
    public static final long DEFAULT_MAX_BYTES = 2L << 30;

    public static ModelLimits defaults() {
        return new ModelLimits(DEFAULT_MAX_BYTES, 1L << 24, 1L << 31);
    }

    public ModelLimits withMaxBytes(long bytes) {
        return new ModelLimits(bytes, maxDimension, maxElements);
    }

    /** Checks a shape against the limits; {@code what} names the tensor for the message. */
    public void checkShape(String what, long[] dims) {
        long elements = 1;
        for (long d : dims) {
            if (d < 0 || d > maxDimension) {
                throw new InvalidModelException(ModelProblem.ABSURD_DIMENSION,
                        what + " has dimension " + d + " (allowed: 0.." + maxDimension + ")");
            }
            elements = saturatingMultiply(elements, d);
            if (elements > maxElements) {
                throw new InvalidModelException(ModelProblem.ABSURD_DIMENSION,
                        what + " has more than " + maxElements + " elements");
            }
        }
    }

    private static long saturatingMultiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException overflow) {
            return Long.MAX_VALUE;
        }
    }
}
