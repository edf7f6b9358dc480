package io.shears.onnx;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads the numbers out of a {@link TensorProto}, whichever of its storage fields holds them (raw_data, float_data,
 * int32_data, int64_data, double_data, uint64_data), and builds new tensors in the same storage.
 */
public final class TensorValues {
    private TensorValues() {
    }

    public static long[] dims(TensorProto t) {
        return t.getDimsList().stream().mapToLong(Long::longValue).toArray();
    }

    public static long elementCount(TensorProto t) {
        long n = 1;
        for (long d : t.getDimsList()) {
            n *= d;
        }
        return n;
    }

    public static ElementType elementType(TensorProto t) {
        return ElementType.of(t.getDataType());
    }

    /** Refuses a tensor whose stored data disagrees with its declared shape. */
    static void checkStorage(String what, TensorProto t) {
        ElementType type = elementType(t);
        if (type == null || t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return;
        }
        long expected = elementCount(t);
        long stored = t.hasRawData() ? t.getRawData().size() / type.bytes() : typedCount(t, type);
        if (t.hasRawData() && t.getRawData().size() % type.bytes() != 0 || stored != expected) {
            throw new InvalidModelException(ModelProblem.MODEL_UNPARSEABLE,
                    what + " declares " + expected + " elements but stores " + stored);
        }
    }

    private static long typedCount(TensorProto t, ElementType type) {
        return switch (type) {
            case FLOAT -> t.getFloatDataCount();
            case DOUBLE -> t.getDoubleDataCount();
            case INT64 -> t.getInt64DataCount();
            case UINT32, UINT64 -> t.getUint64DataCount();
            default -> t.getInt32DataCount();
        };
    }

    /** The values as floats; only for floating element types. */
    public static float[] floats(TensorProto t) {
        ElementType type = elementType(t);
        if (type == null || !type.isFloating()) {
            throw new InvalidModelException(ModelProblem.NON_FLOAT_WEIGHT,
                    "tensor '" + t.getName() + "' has element type " + t.getDataType() + " where float is needed");
        }
        int n = Math.toIntExact(elementCount(t));
        float[] out = new float[n];
        if (t.hasRawData()) {
            ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (type == ElementType.FLOAT) {
                buf.asFloatBuffer().get(out);
                return out;
            }
            for (int i = 0; i < n; i++) {
                out[i] = switch (type) {
                    case FLOAT -> buf.getFloat();
                    case DOUBLE -> (float) buf.getDouble();
                    case FLOAT16 -> halfToFloat(buf.getShort());
                    default -> Float.intBitsToFloat((buf.getShort() & 0xffff) << 16);
                };
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case FLOAT -> t.getFloatData(i);
                case DOUBLE -> (float) t.getDoubleData(i);
                case FLOAT16 -> halfToFloat((short) t.getInt32Data(i));
                default -> Float.intBitsToFloat((t.getInt32Data(i) & 0xffff) << 16);
            };
        }
        return out;
    }

    /** IEEE 754 binary16 to float; Float.float16ToFloat only arrived in Java 20. */
    static float halfToFloat(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }

    /** The values as longs; for integer element types (shape constants, axes, split sizes). */
    public static long[] longs(TensorProto t) {
        ElementType type = elementType(t);
        if (type == null || type.isFloating()) {
            throw new IllegalArgumentException("tensor '" + t.getName() + "' is not an integer tensor");
        }
        int n = Math.toIntExact(elementCount(t));
        long[] out = new long[n];
        if (t.hasRawData()) {
            ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < n; i++) {
                out[i] = switch (type) {
                    case INT64, UINT64 -> buf.getLong();
                    case INT32 -> buf.getInt();
                    case UINT32 -> buf.getInt() & 0xffffffffL;
                    case INT16 -> buf.getShort();
                    case UINT16 -> buf.getShort() & 0xffff;
                    case INT8 -> buf.get();
                    default -> buf.get() & 0xff;
                };
            }
            return out;
        }
        for (int i = 0; i < n; i++) {
            out[i] = switch (type) {
                case INT64 -> t.getInt64Data(i);
                case UINT32, UINT64 -> t.getUint64Data(i);
                default -> t.getInt32Data(i);
            };
        }
        return out;
    }

    /** An int64 tensor holding {@code values}, in the storage field that {@code like} used. */
    public static TensorProto withLongs(TensorProto like, long[] values) {
        TensorProto.Builder b = like.toBuilder().clearDims().addDims(values.length)
                .clearRawData().clearInt64Data().clearInt32Data();
        ElementType type = elementType(like);
        if (like.hasRawData()) {
            ByteBuffer buf = ByteBuffer.allocate(values.length * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values) {
                if (type == ElementType.INT64) {
                    buf.putLong(v);
                } else {
                    buf.putInt((int) v);
                }
            }
            b.setRawData(ByteString.copyFrom(buf.array()));
        } else if (type == ElementType.INT64) {
            for (long v : values) {
                b.addInt64Data(v);
            }
        } else {
            for (long v : values) {
                b.addInt32Data((int) v);
            }
        }
        if (like.getDimsCount() == 0) {
            b.clearDims();
        }
        return b.build();
    }

    /** A FLOAT tensor with raw little-endian data. */
    public static TensorProto floatTensor(String name, long[] dims, float[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            buf.putFloat(v);
        }
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }

    /** An INT64 tensor with raw little-endian data. */
    public static TensorProto longTensor(String name, long[] dims, long[] values) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            buf.putLong(v);
        }
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
                .setRawData(ByteString.copyFrom(buf.array()));
        for (long d : dims) {
            b.addDims(d);
        }
        return b.build();
    }
}
