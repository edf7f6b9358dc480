package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.Engines;

import java.util.ArrayList;
import java.util.List;

/** Runs a model through {@link OnnxInterpreterBlock} for tests: one float input, every output copied out as floats. */
final class Interpreter {
    /** One output: its shape and its values as floats (booleans and integers converted). */
    record Output(long[] shape, float[] values) {
    }

    private Interpreter() {
    }

    static List<Output> runAll(ModelProto model, float[] input, long[] shape) {
        Engines.start();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            NDArray x = manager.create(input, new Shape(shape));
            NDList outputs = block.infer(new NDList(x));
            return copy(outputs);
        }
    }

    static Output run(ModelProto model, float[] input, long[] shape) {
        return runAll(model, input, shape).get(0);
    }

    static List<Output> copy(NDList outputs) {
        List<Output> copied = new ArrayList<>();
        for (NDArray out : outputs) {
            copied.add(new Output(out.getShape().getShape(), out.toType(DataType.FLOAT32, false).toFloatArray()));
        }
        return copied;
    }
}
