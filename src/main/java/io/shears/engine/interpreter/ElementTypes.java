package io.shears.engine.interpreter;

import ai.djl.ndarray.types.DataType;
import io.shears.onnx.ElementType;

/**
 * How the interpreter represents ONNX element types: every floating type computes in float32, every integer type in
 * int64 (shape arithmetic, axes and indices never need more, and one integer type keeps the kernels free of casts),
 * booleans as booleans. Strings and complex numbers have no representation.
 */
final class ElementTypes {
    private ElementTypes() {
    }

    /** The interpreter's type for an ONNX element type code, or null where there is none. */
    static DataType forOnnx(int onnxType) {
        ElementType type = ElementType.of(onnxType);
        if (type == null) {
            return null;
        }
        if (type == ElementType.BOOL) {
            return DataType.BOOLEAN;
        }
        return type.isFloating() ? DataType.FLOAT32 : DataType.INT64;
    }
}
