package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.NodeModel;
import io.shears.engine.Parity;
import io.shears.testing.OrtRunner;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs a kernel-test model in ONNX Runtime and in the interpreter on the same fresh random input and compares. */
final class KernelCheck {
    private KernelCheck() {
    }

    static void matchesOrt(NodeModel model, int opset, String what) {
        matchesOrt(model.build(opset), OrtRunner.randomInput(what.hashCode(), model.inputShape()), model.inputShape(),
                what);
    }

    static void matchesOrt(NodeModel model, int opset, float[] input, String what) {
        matchesOrt(model.build(opset), input, model.inputShape(), what);
    }

    static void matchesOrt(ModelProto model, float[] input, long[] shape, String what) {
        Map<String, OrtRunner.Output> reference = OrtRunner.runAll(model.toByteArray(), input, shape);
        List<Interpreter.Output> actual = Interpreter.runAll(model, input, shape);
        assertThat(actual).as(what + ": outputs").hasSize(reference.size());
        int i = 0;
        for (OrtRunner.Output ref : reference.values()) {
            Interpreter.Output out = actual.get(i++);
            assertThat(out.shape()).as(what + ": shape of " + ref.name()).containsExactly(ref.shape());
            Parity.assertClose(out.values(), ref.values(), what + ": " + ref.name());
        }
    }

    /** Uniform values in [low, high), for ops defined on part of the line (Log, Sqrt, Reciprocal). */
    static float[] uniform(long seed, long[] shape, double low, double high) {
        float[] unit = OrtRunner.randomInput(seed, shape);
        float[] out = new float[unit.length];
        for (int i = 0; i < unit.length; i++) {
            out[i] = (float) (low + (unit[i] + 1) / 2 * (high - low));
        }
        return out;
    }
}
