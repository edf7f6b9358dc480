package io.shears.onnx;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;

/** What Shears needs to know of an ONNX element type: its width in raw_data and which typed field holds it. */
public enum ElementType {
    FLOAT(DataType.FLOAT, 4, true),
    DOUBLE(DataType.DOUBLE, 8, true),
    FLOAT16(DataType.FLOAT16, 2, true),
    BFLOAT16(DataType.BFLOAT16, 2, true),
    INT8(DataType.INT8, 1, false),
    UINT8(DataType.UINT8, 1, false),
    INT16(DataType.INT16, 2, false),
    UINT16(DataType.UINT16, 2, false),
    INT32(DataType.INT32, 4, false),
    UINT32(DataType.UINT32, 4, false),
    INT64(DataType.INT64, 8, false),
    UINT64(DataType.UINT64, 8, false),
    BOOL(DataType.BOOL, 1, false);

    private final DataType dataType;
    private final int bytes;
    private final boolean floating;

    ElementType(DataType dataType, int bytes, boolean floating) {
        this.dataType = dataType;
        this.bytes = bytes;
        this.floating = floating;
    }

    public int bytes() {
        return bytes;
    }

    public boolean isFloating() {
        return floating;
    }

    public DataType dataType() {
        return dataType;
    }

    public static ElementType of(int onnxCode) {
        for (ElementType t : values()) {
            if (t.dataType.getNumber() == onnxCode) {
                return t;
            }
        }
        return null;
    }
}
