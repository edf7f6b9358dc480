package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.ElementType;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.TensorValues;

/** Stored ONNX tensors to NDArrays in the interpreter's types ({@link ElementTypes}), and float values back. */
final class TensorArrays {
    private TensorArrays() {
    }

    static NDArray toArray(TensorProto tensor, NDManager manager) {
        Shape shape = new Shape(TensorValues.dims(tensor));
        DataType type = ElementTypes.forOnnx(tensor.getDataType());
        if (type == null) {
            throw new InvalidModelException(ModelProblem.UNSUPPORTED_OPERATOR, "tensor '" + tensor.getName()
                    + "' has element type " + tensor.getDataType() + ", which the interpreter cannot hold");
        }
        if (type == DataType.FLOAT32) {
            return manager.create(TensorValues.floats(tensor), shape);
        }
        long[] values = TensorValues.longs(tensor);
        if (type == DataType.INT64) {
            return manager.create(values, shape);
        }
        boolean[] flags = new boolean[values.length];
        for (int i = 0; i < values.length; i++) {
            flags[i] = values[i] != 0;
        }
        return manager.create(flags, shape);
    }

    static boolean isFloat32(TensorProto tensor) {
        return TensorValues.elementType(tensor) == ElementType.FLOAT;
    }

    /** {@code like} with its values replaced by {@code value}: same name and dims, float32 in raw_data. */
    static TensorProto withValues(TensorProto like, NDArray value) {
        long[] dims = TensorValues.dims(like);
        if (!value.getShape().equals(new Shape(dims))) {
            throw new IllegalStateException("parameter '" + like.getName() + "' has shape " + value.getShape()
                    + " but the model declares " + new Shape(dims));
        }
        float[] values = value.toType(DataType.FLOAT32, false).toFloatArray();
        TensorProto raw = TensorValues.floatTensor(like.getName(), dims, values);
        return like.toBuilder()
                .clearFloatData().clearDoubleData().clearInt32Data().clearInt64Data().clearUint64Data()
                .clearExternalData().clearDataLocation()
                .setDataType(TensorProto.DataType.FLOAT.getNumber())
                .setRawData(raw.getRawData())
                .build();
    }
}
