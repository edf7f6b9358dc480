package io.shears.testing;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Encodes constant tensors the way exporters do: dims plus little-endian {@code raw_data}. */
final class TensorProtos {
    private TensorProtos() {
    }

    static TensorProto floats(String name, TensorShape shape, float[] values) {
        requireElementCount(name, shape, values.length);
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(boxed(shape.dims()))
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build();
    }

    static TensorProto int64s(String name, TensorShape shape, long[] values) {
        requireElementCount(name, shape, values.length);
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addAllDims(boxed(shape.dims()))
                .setRawData(ByteString.copyFrom(bytes.array()))
                .build();
    }

    private static void requireElementCount(String name, TensorShape shape, int count) {
        long expected = shape.product(0, shape.rank());
        if (expected != count) {
            throw new IllegalArgumentException(name + ": shape " + shape + " needs " + expected
                    + " values, got " + count);
        }
    }

    private static Iterable<Long> boxed(long[] dims) {
        return Arrays.stream(dims).boxed().toList();
    }
}
