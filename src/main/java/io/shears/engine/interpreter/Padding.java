package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;

/**
 * Explicit padding. PyTorch's convolution and pooling take one pad per spatial axis, applied on both sides, so ONNX's
 * asymmetric pads (and auto_pad) are applied here first and the operator then runs with zero pads. Negative amounts
 * crop, as ONNX's Pad allows.
 */
final class Padding {
    private Padding() {
    }

    /** {@code x} with {@code begin[i]}/{@code end[i]} elements of {@code value} added (or removed) on axis i. */
    static NDArray padOrCrop(NDArray x, long[] begin, long[] end, double value) {
        long[] dims = ShapeMath.dims(x);
        boolean crops = false;
        boolean pads = false;
        for (int i = 0; i < dims.length; i++) {
            crops |= begin[i] < 0 || end[i] < 0;
            pads |= begin[i] > 0 || end[i] > 0;
        }
        NDArray out = x;
        if (crops) {
            NDIndex index = new NDIndex();
            for (int i = 0; i < dims.length; i++) {
                long from = Math.max(0, -begin[i]);
                long to = dims[i] - Math.max(0, -end[i]);
                if (to < from) {
                    throw new IllegalArgumentException("cropping " + -begin[i] + " and " + -end[i] + " elements "
                            + "leaves nothing of axis " + i + " (size " + dims[i] + ")");
                }
                index.addSliceDim(from, to);
            }
            out = out.get(index);
        }
        if (pads) {
            int first = 0;
            while (begin[first] <= 0 && end[first] <= 0) {
                first++;
            }
            // DJL (like torch.nn.functional.pad) lists pads from the last axis backwards, begin and end per axis
            long[] pairs = new long[2 * (dims.length - first)];
            for (int i = dims.length - 1, j = 0; i >= first; i--, j += 2) {
                pairs[j] = Math.max(0, begin[i]);
                pairs[j + 1] = Math.max(0, end[i]);
            }
            out = out.pad(new Shape(pairs), value);
        }
        return out;
    }

    /** Full-rank begin/end arrays with the given spatial pads on axes 2 and up (NCHW). */
    static long[][] spatial(int rank, long[] spatialBegin, long[] spatialEnd) {
        long[] begin = new long[rank];
        long[] end = new long[rank];
        System.arraycopy(spatialBegin, 0, begin, 2, spatialBegin.length);
        System.arraycopy(spatialEnd, 0, end, 2, spatialEnd.length);
        return new long[][] {begin, end};
    }
}
