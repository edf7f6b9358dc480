package io.shears.testing;

/**
 * Output shape of an ONNX Reshape (allowzero = 0) as far as it can be known while the batch is symbolic: the one
 * inferred dimension becomes the batch when everything else accounts for exactly the per-sample elements.
 */
final class ReshapeInference {
    private ReshapeInference() {
    }

    static TensorShape infer(TensorShape input, long[] target) {
        long[] dims = new long[target.length];
        int inferredAxis = -1;
        for (int i = 0; i < target.length; i++) {
            if (target[i] == -1) {
                if (inferredAxis >= 0) {
                    throw new IllegalArgumentException("reshape target has more than one -1");
                }
                inferredAxis = i;
            } else {
                dims[i] = target[i] == 0 ? input.dim(i) : target[i];
            }
        }
        if (inferredAxis >= 0) {
            dims[inferredAxis] = inferredSize(input, dims, inferredAxis);
        }
        return TensorShape.of(dims);
    }

    private static long inferredSize(TensorShape input, long[] dims, int inferredAxis) {
        long[] others = dims.clone();
        others[inferredAxis] = 1;
        long inputElements = input.product(0, input.rank());
        long otherElements = TensorShape.of(others).product(0, others.length);
        if (inputElements >= 0 && otherElements > 0) {
            return inputElements / otherElements;
        }
        if (inputElements == TensorShape.BATCH && otherElements == 1) {
            return TensorShape.BATCH;
        }
        if (inputElements == TensorShape.UNKNOWN && otherElements > 0) {
            long perSample = perSampleElements(input);
            if (perSample == otherElements) {
                return TensorShape.BATCH;
            }
        }
        if (otherElements == TensorShape.BATCH) {
            long perSample = perSampleElements(input);
            return perSample > 0 ? perSample : TensorShape.UNKNOWN;
        }
        return TensorShape.UNKNOWN;
    }

    /** Elements per sample when the input has exactly one batch dimension and all other dims known, else -1. */
    private static long perSampleElements(TensorShape input) {
        long known = 1;
        int batchDims = 0;
        for (long dim : input.dims()) {
            if (dim == TensorShape.BATCH) {
                batchDims++;
            } else if (dim < 0) {
                return -1;
            } else {
                known *= dim;
            }
        }
        return batchDims == 1 ? known : -1;
    }
}
