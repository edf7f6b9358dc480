package io.shears.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class TensorValuesTest {
    private static final long[] DIMS = {2, 3};
    private static final float[] SIX = {1.5f, -2.25f, 0f, 3.0e-3f, -7e5f, 42f};

    // ---------------------------------------------------------------- floats

    @Test
    void floatsFromRawData() {
        assertThat(TensorValues.floats(Protos.rawFloats("w", DIMS, SIX))).containsExactly(SIX);
    }

    @Test
    void floatsFromFloatData() {
        assertThat(TensorValues.floats(Protos.typedFloats("w", DIMS, SIX))).containsExactly(SIX);
    }

    @Test
    void floatsFromRawAndTypedDoubles() {
        double[] values = {1.5, -2.25, 1e-3, 1.0 / 3, -7e5, 1e300};
        ByteBuffer raw = ByteBuffer.allocate(48).order(ByteOrder.LITTLE_ENDIAN);
        TensorProto.Builder typed = Protos.tensor("d", DataType.DOUBLE_VALUE, DIMS);
        float[] expected = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            raw.putDouble(values[i]);
            typed.addDoubleData(values[i]);
            expected[i] = (float) values[i];
        }
        TensorProto rawTensor = Protos.tensor("d", DataType.DOUBLE_VALUE, DIMS)
                .setRawData(ByteString.copyFrom(raw.array())).build();

        assertThat(TensorValues.floats(rawTensor)).containsExactly(expected);
        assertThat(TensorValues.floats(typed.build())).containsExactly(expected);
        assertThat(expected[5]).isInfinite();
    }

    /** All 65536 half-precision bit patterns, raw and in int32_data, against the IEEE 754 definition. */
    @Test
    void everyFloat16BitPatternDecodesAsIeee754Says() {
        int n = 1 << 16;
        ByteBuffer raw = ByteBuffer.allocate(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        TensorProto.Builder typed = Protos.tensor("h", DataType.FLOAT16_VALUE, new long[] {n});
        for (int bits = 0; bits < n; bits++) {
            raw.putShort((short) bits);
            typed.addInt32Data(bits);
        }
        TensorProto rawTensor = Protos.tensor("h", DataType.FLOAT16_VALUE, new long[] {n})
                .setRawData(ByteString.copyFrom(raw.array())).build();

        float[] fromRaw = TensorValues.floats(rawTensor);
        float[] fromTyped = TensorValues.floats(typed.build());

        for (int bits = 0; bits < n; bits++) {
            float expected = referenceHalf(bits);
            if (Float.isNaN(expected)) {
                assertThat(fromRaw[bits]).as("bits %04x", bits).isNaN();
                assertThat(fromTyped[bits]).as("bits %04x", bits).isNaN();
            } else {
                assertThat(Float.floatToRawIntBits(fromRaw[bits])).as("bits %04x", bits)
                        .isEqualTo(Float.floatToRawIntBits(expected));
                assertThat(Float.floatToRawIntBits(fromTyped[bits])).as("bits %04x", bits)
                        .isEqualTo(Float.floatToRawIntBits(expected));
            }
        }
        assertThat(fromRaw[0x3c00]).isEqualTo(1f);
        assertThat(fromRaw[0xc000]).isEqualTo(-2f);
        assertThat(fromRaw[0x7bff]).isEqualTo(65504f);
        assertThat(fromRaw[0x0001]).isEqualTo((float) Math.pow(2, -24));
        assertThat(fromRaw[0x7c00]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(fromRaw[0x8000]).isEqualTo(-0f);
    }

    private static float referenceHalf(int bits) {
        int sign = (bits >> 15) & 1;
        int exponent = (bits >> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        double magnitude;
        if (exponent == 0x1f) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = mantissa * Math.pow(2, -24);
        } else {
            magnitude = (1 + mantissa / 1024.0) * Math.pow(2, exponent - 15);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    @Test
    void floatsFromBfloat16RawAndTyped() {
        float[] values = {1f, -2.5f, 0.15625f, 3.0e38f};
        ByteBuffer raw = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        TensorProto.Builder typed = Protos.tensor("b", DataType.BFLOAT16_VALUE, new long[] {4});
        float[] expected = new float[4];
        for (int i = 0; i < 4; i++) {
            int upper = Float.floatToIntBits(values[i]) >>> 16;
            raw.putShort((short) upper);
            typed.addInt32Data(upper);
            expected[i] = Float.intBitsToFloat(upper << 16);
        }
        TensorProto rawTensor = Protos.tensor("b", DataType.BFLOAT16_VALUE, new long[] {4})
                .setRawData(ByteString.copyFrom(raw.array())).build();

        assertThat(TensorValues.floats(rawTensor)).containsExactly(expected);
        assertThat(TensorValues.floats(typed.build())).containsExactly(expected);
        assertThat(expected[0]).isEqualTo(1f);
        assertThat(expected[1]).isEqualTo(-2.5f);
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"INT64", "INT32", "INT8", "UINT8", "BOOL", "STRING"})
    void refusesNonFloatWeightsWhereFloatIsNeeded(DataType dataType) {
        TensorProto t = Protos.tensor("layer3.weight", dataType.getNumber(), new long[] {2})
                .addInt32Data(1).addInt32Data(2).build();

        assertThatThrownBy(() -> TensorValues.floats(t))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(ModelProblem.NON_FLOAT_WEIGHT);
                    assertThat(e.code()).isEqualTo("NON_FLOAT_WEIGHT");
                    assertThat(e.getMessage()).contains("layer3.weight");
                });
    }

    @Test
    void refusesAnInt64TensorWithRawDataWhereFloatIsNeeded() {
        TensorProto t = Protos.rawLongs("conv.weight", new long[] {2, 1, 1, 1}, 3, 4);

        assertThatThrownBy(() -> TensorValues.floats(t)).isInstanceOf(InvalidModelException.class)
                .hasMessageContaining("conv.weight")
                .extracting(e -> ((InvalidModelException) e).problem()).isEqualTo(ModelProblem.NON_FLOAT_WEIGHT);
    }

    // ---------------------------------------------------------------- longs

    @Test
    void int64FromRawAndTyped() {
        long[] values = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 7};

        assertThat(TensorValues.longs(Protos.rawLongs("s", DIMS, values))).containsExactly(values);
        assertThat(TensorValues.longs(Protos.typedLongs("s", DIMS, values))).containsExactly(values);
    }

    @Test
    void narrowerIntegersFromRawDataKeepTheirSignedness() {
        assertThat(TensorValues.longs(raw(DataType.INT32, 4, b -> b.putInt(-5).putInt(Integer.MAX_VALUE))))
                .containsExactly(-5, Integer.MAX_VALUE);
        assertThat(TensorValues.longs(raw(DataType.UINT32, 4, b -> b.putInt(-1).putInt(3))))
                .containsExactly(0xffffffffL, 3);
        assertThat(TensorValues.longs(raw(DataType.INT16, 2, b -> b.putShort((short) -300).putShort((short) 9))))
                .containsExactly(-300, 9);
        assertThat(TensorValues.longs(raw(DataType.UINT16, 2, b -> b.putShort((short) -1).putShort((short) 9))))
                .containsExactly(65535, 9);
        assertThat(TensorValues.longs(raw(DataType.INT8, 1, b -> b.put((byte) -128).put((byte) 5))))
                .containsExactly(-128, 5);
        assertThat(TensorValues.longs(raw(DataType.UINT8, 1, b -> b.put((byte) -1).put((byte) 5))))
                .containsExactly(255, 5);
        assertThat(TensorValues.longs(raw(DataType.UINT64, 8, b -> b.putLong(1L << 62).putLong(2))))
                .containsExactly(1L << 62, 2);
    }

    @Test
    void narrowerIntegersFromTypedFields() {
        TensorProto int32 = Protos.tensor("a", DataType.INT32_VALUE, new long[] {3})
                .addInt32Data(-4).addInt32Data(0).addInt32Data(9).build();
        TensorProto uint32 = Protos.tensor("b", DataType.UINT32_VALUE, new long[] {2})
                .addUint64Data(4_000_000_000L).addUint64Data(1).build();
        TensorProto int8 = Protos.tensor("c", DataType.INT8_VALUE, new long[] {2})
                .addInt32Data(-7).addInt32Data(7).build();

        assertThat(TensorValues.longs(int32)).containsExactly(-4, 0, 9);
        assertThat(TensorValues.longs(uint32)).containsExactly(4_000_000_000L, 1);
        assertThat(TensorValues.longs(int8)).containsExactly(-7, 7);
    }

    @Test
    void longsRefusesFloatTensors() {
        assertThatThrownBy(() -> TensorValues.longs(Protos.rawFloats("f", DIMS, SIX)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'f'");
    }

    @Test
    void withLongsKeepsTheStorageItWasGiven() {
        TensorProto raw64 = Protos.longs("shape", 1, 2, 3);
        TensorProto typed64 = Protos.typedLongs("shape", new long[] {3}, 1, 2, 3);
        TensorProto raw32 = raw(DataType.INT32, 4, b -> b.putInt(1).putInt(2));
        TensorProto typed32 = Protos.tensor("shape", DataType.INT32_VALUE, new long[] {1}).addInt32Data(5).build();

        TensorProto a = TensorValues.withLongs(raw64, new long[] {8, -1});
        TensorProto b = TensorValues.withLongs(typed64, new long[] {8, -1});
        TensorProto c = TensorValues.withLongs(raw32, new long[] {8, -1, 4});
        TensorProto d = TensorValues.withLongs(typed32, new long[] {8, -1});

        assertThat(a.hasRawData()).isTrue();
        assertThat(a.getRawData().size()).isEqualTo(16);
        assertThat(b.hasRawData()).isFalse();
        assertThat(b.getInt64DataList()).containsExactly(8L, -1L);
        assertThat(c.getRawData().size()).isEqualTo(12);
        assertThat(d.getInt32DataList()).containsExactly(8, -1);
        for (TensorProto t : new TensorProto[] {a, b, d}) {
            assertThat(t.getDimsList()).containsExactly(2L);
            assertThat(TensorValues.longs(t)).containsExactly(8, -1);
            assertThat(t.getName()).isEqualTo("shape");
        }
        assertThat(TensorValues.longs(c)).containsExactly(8, -1, 4);
        assertThat(c.getDataType()).isEqualTo(DataType.INT32_VALUE);
    }

    @Test
    void withLongsKeepsAScalarAScalar() {
        TensorProto scalar = Protos.scalarLong("axis", 1);

        TensorProto replaced = TensorValues.withLongs(scalar, new long[] {3});

        assertThat(replaced.getDimsCount()).isZero();
        assertThat(TensorValues.longs(replaced)).containsExactly(3);
    }

    @Test
    void factoriesBuildLittleEndianRawTensors() {
        TensorProto f = TensorValues.floatTensor("f", DIMS, SIX);
        TensorProto l = TensorValues.longTensor("l", new long[] {2}, new long[] {-1, 1L << 33});

        assertThat(f.getDataType()).isEqualTo(DataType.FLOAT_VALUE);
        assertThat(f.getDimsList()).containsExactly(2L, 3L);
        assertThat(f.getRawData()).isEqualTo(Protos.rawFloats("f", DIMS, SIX).getRawData());
        assertThat(TensorValues.floats(f)).containsExactly(SIX);
        assertThat(l.getRawData().toByteArray()).startsWith((byte) 0xff, (byte) 0xff).hasSize(16);
        assertThat(TensorValues.longs(l)).containsExactly(-1, 1L << 33);
    }

    @Test
    void dimsElementCountAndElementType() {
        TensorProto t = Protos.rawFloats("w", new long[] {2, 3, 1}, SIX);
        TensorProto scalar = Protos.scalarLong("s", 4);

        assertThat(TensorValues.dims(t)).containsExactly(2, 3, 1);
        assertThat(TensorValues.elementCount(t)).isEqualTo(6);
        assertThat(TensorValues.elementCount(scalar)).isEqualTo(1);
        assertThat(TensorValues.elementType(t)).isEqualTo(ElementType.FLOAT);
        assertThat(TensorValues.elementType(scalar)).isEqualTo(ElementType.INT64);
        assertThat(ElementType.of(DataType.STRING_VALUE)).isNull();
        assertThat(ElementType.FLOAT16.bytes()).isEqualTo(2);
        assertThat(ElementType.FLOAT16.isFloating()).isTrue();
        assertThat(ElementType.INT64.isFloating()).isFalse();
    }

    // ---------------------------------------------------------------- storage check

    @Test
    void storageCheckAcceptsConsistentTensors() {
        TensorValues.checkStorage("a", Protos.rawFloats("a", DIMS, SIX));
        TensorValues.checkStorage("b", Protos.typedFloats("b", DIMS, SIX));
        TensorValues.checkStorage("c", Protos.typedLongs("c", new long[] {2}, 1, 2));
        TensorValues.checkStorage("d", Protos.tensor("d", DataType.STRING_VALUE, new long[] {5}).build());
        TensorValues.checkStorage("e", Protos.external(Protos.tensor("e", Protos.FLOAT, DIMS).build(), "x", 0, 24));
    }

    @Test
    void storageCheckRefusesMismatches() {
        TensorProto fewer = Protos.rawFloats("fewer", new long[] {7}, SIX);
        TensorProto typedMore = Protos.typedFloats("typedMore", new long[] {5}, SIX);
        TensorProto ragged = Protos.tensor("ragged", Protos.FLOAT, new long[] {1})
                .setRawData(ByteString.copyFrom(new byte[5])).build();
        TensorProto missing = Protos.tensor("missing", Protos.INT64, new long[] {3}).build();

        for (TensorProto t : new TensorProto[] {fewer, typedMore, ragged, missing}) {
            assertThatThrownBy(() -> TensorValues.checkStorage("tensor '" + t.getName() + "'", t))
                    .asInstanceOf(type(InvalidModelException.class))
                    .satisfies(e -> {
                        assertThat(e.problem()).isEqualTo(ModelProblem.MODEL_UNPARSEABLE);
                        assertThat(e.getMessage()).contains(t.getName());
                    });
        }
    }

    private interface Fill {
        void into(ByteBuffer b);
    }

    private static TensorProto raw(DataType type, int width, Fill fill) {
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        fill.into(b);
        int bytes = b.position();
        byte[] data = java.util.Arrays.copyOf(b.array(), bytes);
        return Protos.tensor("shape", type.getNumber(), new long[] {bytes / width})
                .setRawData(ByteString.copyFrom(data)).build();
    }
}
