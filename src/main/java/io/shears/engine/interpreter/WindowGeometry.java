package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Node;

import java.util.Arrays;

/**
 * A sliding window (convolution or pooling) resolved from a node's attributes and its input shape: kernel, strides,
 * dilations, begin and end pads (auto_pad applied) and the output size ONNX defines, ceil_mode included.
 */
record WindowGeometry(long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd,
                      boolean ceilMode, long[] outputSize) {

    static WindowGeometry resolve(Node node, long[] inputDims, long[] kernel, boolean ceilMode) {
        int spatial = inputDims.length - 2;
        if (spatial < 1 || kernel.length != spatial) {
            throw new IllegalArgumentException("a window of rank " + kernel.length + " does not fit input "
                    + Arrays.toString(inputDims));
        }
        long[] strides = perAxis(node.attrInts("strides"), spatial, 1);
        long[] dilations = perAxis(node.attrInts("dilations"), spatial, 1);
        long[] pads = perAxis(node.attrInts("pads"), 2 * spatial, 0);
        String autoPad = node.attrString("auto_pad", "NOTSET");
        long[] begin = new long[spatial];
        long[] end = new long[spatial];
        long[] out = new long[spatial];
        for (int i = 0; i < spatial; i++) {
            long in = inputDims[2 + i];
            long extent = (kernel[i] - 1) * dilations[i] + 1;
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out[i] = (in + strides[i] - 1) / strides[i];
                    long total = Math.max(0, (out[i] - 1) * strides[i] + extent - in);
                    begin[i] = autoPad.equals("SAME_UPPER") ? total / 2 : total - total / 2;
                    end[i] = total - begin[i];
                }
                case "VALID" -> out[i] = size(in, 0, 0, extent, strides[i], ceilMode);
                default -> {
                    begin[i] = pads[i];
                    end[i] = pads[i + spatial];
                    out[i] = size(in, begin[i], end[i], extent, strides[i], ceilMode);
                }
            }
            if (out[i] < 1) {
                throw new IllegalArgumentException("a window of " + kernel[i] + " does not fit spatial extent " + in);
            }
        }
        return new WindowGeometry(kernel, strides, dilations, begin, end, ceilMode, out);
    }

    private static long size(long in, long begin, long end, long extent, long stride, boolean ceilMode) {
        long padded = in + begin + end - extent;
        long out = ceilMode ? Math.floorDiv(padded + stride - 1, stride) + 1 : Math.floorDiv(padded, stride) + 1;
        // with ceil_mode, a last window that would start in the end padding is dropped
        if (ceilMode && (out - 1) * stride >= in + begin) {
            out--;
        }
        return out;
    }

    /** An ints attribute with one value per axis (or per pad), {@code fallback} everywhere when it is absent. */
    static long[] perAxis(long[] given, int n, long fallback) {
        if (given == null || given.length == 0) {
            long[] out = new long[n];
            Arrays.fill(out, fallback);
            return out;
        }
        if (given.length != n) {
            throw new IllegalArgumentException("expected " + n + " values, got " + Arrays.toString(given));
        }
        return given.clone();
    }

    int spatialRank() {
        return kernel.length;
    }

    boolean dilated() {
        return Arrays.stream(dilations).anyMatch(d -> d != 1);
    }

    boolean symmetricPads() {
        return Arrays.equals(padBegin, padEnd);
    }

    boolean hasPads() {
        return Arrays.stream(padBegin).anyMatch(p -> p != 0) || Arrays.stream(padEnd).anyMatch(p -> p != 0);
    }

    /** PyTorch's pooling refuses a pad above half the kernel, which ONNX allows. */
    boolean padsWithinHalfKernel() {
        for (int i = 0; i < kernel.length; i++) {
            if (padBegin[i] * 2 > kernel[i]) {
                return false;
            }
        }
        return true;
    }

    /** Elements to add after the end padding so that the last (ceil_mode) window lies inside the array. */
    long[] ceilOverhang(long[] inputDims) {
        long[] extra = new long[kernel.length];
        for (int i = 0; i < kernel.length; i++) {
            long needed = (outputSize[i] - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1;
            extra[i] = Math.max(0, needed - (inputDims[2 + i] + padBegin[i] + padEnd[i]));
        }
        return extra;
    }

    Shape kernelShape() {
        return new Shape(kernel);
    }

    Shape strideShape() {
        return new Shape(strides);
    }

    Shape dilationShape() {
        return new Shape(dilations);
    }

    Shape padBeginShape() {
        return new Shape(padBegin);
    }

    Shape zeroPads() {
        return new Shape(new long[kernel.length]);
    }

    /** {@code y} cut to the ONNX output size, where PyTorch's ceil_mode rule gave an extra trailing window. */
    NDArray cropToOutput(NDArray y) {
        long[] dims = ShapeMath.dims(y);
        boolean larger = false;
        NDIndex index = new NDIndex().addAllDim().addAllDim();
        for (int i = 0; i < kernel.length; i++) {
            if (dims[2 + i] < outputSize[i]) {
                throw new IllegalStateException("the engine produced " + dims[2 + i] + " windows on spatial axis " + i
                        + " where ONNX defines " + outputSize[i]);
            }
            larger |= dims[2 + i] > outputSize[i];
            index.addSliceDim(0, outputSize[i]);
        }
        return larger ? y.get(index) : y;
    }
}
