package io.shears.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

/**
 * Keeps a chosen set of indices along one axis of a tensor, for any fixed-width element type, in whichever storage
 * field the tensor used. Bytes are copied, never converted, so kept values are bit-identical.
 */
public final class TensorSlicer {
    private TensorSlicer() {
    }

    /** @param keep ascending indices along {@code axis} to keep */
    public static TensorProto keep(TensorProto t, int axis, int[] keep) {
        ElementType type = TensorValues.elementType(t);
        if (type == null) {
            throw new InvalidModelException(ModelProblem.NON_FLOAT_WEIGHT,
                    "tensor '" + t.getName() + "' has element type " + t.getDataType() + ", which cannot be sliced");
        }
        long[] dims = TensorValues.dims(t);
        int outer = product(dims, 0, axis);
        int inner = product(dims, axis + 1, dims.length);
        int axisLength = (int) dims[axis];
        TensorProto.Builder b = t.toBuilder().setDims(axis, keep.length);
        if (t.hasRawData()) {
            int width = type.bytes();
            byte[] src = t.getRawData().toByteArray();
            byte[] dst = new byte[outer * keep.length * inner * width];
            int chunk = inner * width;
            int at = 0;
            for (int o = 0; o < outer; o++) {
                for (int k : keep) {
                    System.arraycopy(src, (o * axisLength + k) * chunk, dst, at, chunk);
                    at += chunk;
                }
            }
            return b.setRawData(ByteString.copyFrom(dst)).build();
        }
        IndexMap map = i -> {
            int o = i / (keep.length * inner);
            int rest = i % (keep.length * inner);
            return (o * axisLength + keep[rest / inner]) * inner + rest % inner;
        };
        int n = outer * keep.length * inner;
        switch (type) {
            case FLOAT -> {
                b.clearFloatData();
                for (int i = 0; i < n; i++) {
                    b.addFloatData(t.getFloatData(map.source(i)));
                }
            }
            case DOUBLE -> {
                b.clearDoubleData();
                for (int i = 0; i < n; i++) {
                    b.addDoubleData(t.getDoubleData(map.source(i)));
                }
            }
            case INT64 -> {
                b.clearInt64Data();
                for (int i = 0; i < n; i++) {
                    b.addInt64Data(t.getInt64Data(map.source(i)));
                }
            }
            case UINT32, UINT64 -> {
                b.clearUint64Data();
                for (int i = 0; i < n; i++) {
                    b.addUint64Data(t.getUint64Data(map.source(i)));
                }
            }
            default -> {
                b.clearInt32Data();
                for (int i = 0; i < n; i++) {
                    b.addInt32Data(t.getInt32Data(map.source(i)));
                }
            }
        }
        return b.build();
    }

    private static int product(long[] dims, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n = Math.multiplyExact(n, (int) dims[i]);
        }
        return n;
    }

    @FunctionalInterface
    private interface IndexMap {
        int source(int targetIndex);
    }
}
