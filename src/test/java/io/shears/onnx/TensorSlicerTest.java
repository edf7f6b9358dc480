package io.shears.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Slicing along every axis, in every storage field, compared with a straightforward reference: for each output
 * element, unravel its index, replace the coordinate on the axis by the kept index, and read the source there.
 */
class TensorSlicerTest {
    /** How a tensor stores its values. */
    enum Storage {
        RAW_FLOAT, TYPED_FLOAT, RAW_DOUBLE, TYPED_DOUBLE, RAW_INT64, TYPED_INT64, TYPED_INT32, RAW_FLOAT16,
        TYPED_FLOAT16, TYPED_UINT32, RAW_UINT8
    }

    private static final long[][] SHAPES = {{7}, {5, 3}, {4, 3, 2}, {6, 3, 3, 3}, {2, 4, 1, 3, 2}};

    static Stream<Arguments> cases() {
        return Arrays.stream(Storage.values()).flatMap(storage -> Arrays.stream(SHAPES).flatMap(dims ->
                IntStream.range(0, dims.length).mapToObj(axis -> Arguments.of(storage, dims, axis))));
    }

    @ParameterizedTest(name = "{0} {1} axis {2}")
    @MethodSource("cases")
    void keepsTheChosenIndicesAlongEachAxis(Storage storage, long[] dims, int axis) {
        int count = Math.toIntExact(Arrays.stream(dims).reduce(1, Math::multiplyExact));
        long[] values = new SplittableRandom(count * 31L + axis).longs(count, -100, 100).toArray();
        TensorProto t = tensor(storage, dims, values);
        SplittableRandom random = new SplittableRandom(axis);
        for (int[] keep : keepSets((int) dims[axis], random)) {
            TensorProto sliced = TensorSlicer.keep(t, axis, keep);

            long[] expectedDims = dims.clone();
            expectedDims[axis] = keep.length;
            assertThat(TensorValues.dims(sliced)).containsExactly(expectedDims);
            assertThat(read(storage, sliced)).as("%s keep %s", storage, Arrays.toString(keep))
                    .containsExactly(reference(values, dims, axis, keep));
            assertThat(sliced.hasRawData()).isEqualTo(t.hasRawData());
            assertThat(sliced.getName()).isEqualTo(t.getName());
            assertThat(sliced.getDataType()).isEqualTo(t.getDataType());
        }
    }

    /** Every index, none, the first, the last, and a random ascending subset. */
    private static int[][] keepSets(int length, SplittableRandom random) {
        int[] subset = IntStream.range(0, length).filter(i -> random.nextBoolean()).toArray();
        return new int[][] {IntStream.range(0, length).toArray(), {}, {0}, {length - 1}, subset};
    }

    @Test
    void keepsRawBytesBitIdentical() {
        float quietNanWithPayload = Float.intBitsToFloat(0x7fc01234);
        float[] values = {quietNanWithPayload, -0f, Float.MIN_VALUE, 1f, Float.MAX_VALUE, -1f};
        TensorProto t = Protos.rawFloats("w", new long[] {3, 2}, values);

        TensorProto sliced = TensorSlicer.keep(t, 0, new int[] {0, 2});

        ByteBuffer out = sliced.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.getInt()).isEqualTo(0x7fc01234);
        assertThat(out.getInt()).isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(out.getInt()).isEqualTo(Float.floatToRawIntBits(Float.MAX_VALUE));
        assertThat(out.getInt()).isEqualTo(Float.floatToRawIntBits(-1f));
    }

    @Test
    void slicingAConvWeightByOutputAndInputChannels() {
        float[] w = new float[4 * 3 * 2 * 2];
        for (int i = 0; i < w.length; i++) {
            w[i] = i;
        }
        TensorProto weight = Protos.rawFloats("conv.weight", new long[] {4, 3, 2, 2}, w);

        TensorProto filters = TensorSlicer.keep(weight, 0, new int[] {1, 3});
        TensorProto inputs = TensorSlicer.keep(weight, 1, new int[] {2});

        assertThat(TensorValues.floats(filters)).containsExactly(
                12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
                36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47);
        assertThat(TensorValues.floats(inputs)).containsExactly(8, 9, 10, 11, 20, 21, 22, 23, 32, 33, 34, 35,
                44, 45, 46, 47);
    }

    @Test
    void refusesTensorsOfUnknownElementType() {
        TensorProto strings = Protos.tensor("labels", DataType.STRING_VALUE, new long[] {2})
                .addStringData(ByteString.copyFromUtf8("a")).addStringData(ByteString.copyFromUtf8("b")).build();

        assertThatThrownBy(() -> TensorSlicer.keep(strings, 0, new int[] {1}))
                .isInstanceOf(InvalidModelException.class).hasMessageContaining("labels");
    }

    // ---------------------------------------------------------------- reference and storage encodings

    static long[] reference(long[] values, long[] dims, int axis, int[] keep) {
        long[] outDims = dims.clone();
        outDims[axis] = keep.length;
        int n = Math.toIntExact(Arrays.stream(outDims).reduce(1, Math::multiplyExact));
        long[] out = new long[n];
        int[] index = new int[dims.length];
        for (int i = 0; i < n; i++) {
            int rest = i;
            for (int d = dims.length - 1; d >= 0; d--) {
                index[d] = (int) (rest % outDims[d]);
                rest /= (int) outDims[d];
            }
            index[axis] = keep[index[axis]];
            int source = 0;
            for (int d = 0; d < dims.length; d++) {
                source = source * (int) dims[d] + index[d];
            }
            out[i] = values[source];
        }
        return out;
    }

    private static TensorProto tensor(Storage storage, long[] dims, long[] values) {
        return switch (storage) {
            case RAW_FLOAT -> Protos.rawFloats("t", dims, asFloats(values));
            case TYPED_FLOAT -> Protos.typedFloats("t", dims, asFloats(values));
            case RAW_DOUBLE -> raw(DataType.DOUBLE, dims, values, 8, (b, v) -> b.putDouble(v));
            case TYPED_DOUBLE -> {
                TensorProto.Builder b = Protos.tensor("t", DataType.DOUBLE_VALUE, dims);
                Arrays.stream(values).forEach(v -> b.addDoubleData(v));
                yield b.build();
            }
            case RAW_INT64 -> Protos.rawLongs("t", dims, values);
            case TYPED_INT64 -> Protos.typedLongs("t", dims, values);
            case TYPED_INT32 -> {
                TensorProto.Builder b = Protos.tensor("t", DataType.INT32_VALUE, dims);
                Arrays.stream(values).forEach(v -> b.addInt32Data((int) v));
                yield b.build();
            }
            case RAW_FLOAT16 -> raw(DataType.FLOAT16, dims, values, 2, (b, v) -> b.putShort(half(v)));
            case TYPED_FLOAT16 -> {
                TensorProto.Builder b = Protos.tensor("t", DataType.FLOAT16_VALUE, dims);
                Arrays.stream(values).forEach(v -> b.addInt32Data(half(v) & 0xffff));
                yield b.build();
            }
            case TYPED_UINT32 -> {
                TensorProto.Builder b = Protos.tensor("t", DataType.UINT32_VALUE, dims);
                Arrays.stream(values).forEach(v -> b.addUint64Data(v + 100));
                yield b.build();
            }
            case RAW_UINT8 -> raw(DataType.UINT8, dims, values, 1, (b, v) -> b.put((byte) (v + 100)));
        };
    }

    /** Reads back what {@link #tensor} stored, as the original longs. */
    private static long[] read(Storage storage, TensorProto t) {
        return switch (storage) {
            case RAW_FLOAT, TYPED_FLOAT, RAW_DOUBLE, TYPED_DOUBLE, RAW_FLOAT16, TYPED_FLOAT16 -> {
                float[] f = TensorValues.floats(t);
                long[] out = new long[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = (long) f[i];
                }
                yield out;
            }
            case TYPED_UINT32, RAW_UINT8 -> Arrays.stream(TensorValues.longs(t)).map(v -> v - 100).toArray();
            default -> TensorValues.longs(t);
        };
    }

    private static float[] asFloats(long[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** Integers in [-100, 100] are exact in binary16: sign, exponent 15 + e, top mantissa bits. */
    private static short half(long v) {
        if (v == 0) {
            return 0;
        }
        int sign = v < 0 ? 0x8000 : 0;
        long m = Math.abs(v);
        int e = 63 - Long.numberOfLeadingZeros(m);
        int mantissa = (int) ((m << (10 - e)) & 0x3ff);
        return (short) (sign | ((e + 15) << 10) | mantissa);
    }

    private interface Put {
        void put(ByteBuffer b, long v);
    }

    private static TensorProto raw(DataType type, long[] dims, long[] values, int width, Put put) {
        ByteBuffer b = ByteBuffer.allocate(values.length * width).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            put.put(b, v);
        }
        return Protos.tensor("t", type.getNumber(), dims).setRawData(ByteString.copyFrom(b.array())).build();
    }
}
