package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.shears.graph.Node;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;

/**
 * What a kernel sees of one node in one forward pass: its input arrays (all attached to the pass's manager, so every
 * array a kernel makes from them is freed with the pass), its attributes through {@link #node()}, and the pass's
 * {@link PassMode}.
 */
final class KernelContext {
    private final ForwardPass pass;
    private final Node node;
    private final NDArray[] inputs;

    KernelContext(ForwardPass pass, Node node, NDArray[] inputs) {
        this.pass = pass;
        this.node = node;
        this.inputs = inputs;
    }

    Node node() {
        return node;
    }

    int opset() {
        return pass.opset();
    }

    PassMode mode() {
        return pass.mode();
    }

    /** The pass's manager, for arrays a kernel creates from host values. */
    NDManager manager() {
        return pass.manager();
    }

    int inputCount() {
        return inputs.length;
    }

    boolean hasInput(int i) {
        return i < inputs.length && inputs[i] != null;
    }

    NDArray input(int i) {
        if (!hasInput(i)) {
            throw new InvalidModelException(ModelProblem.DANGLING_INPUT,
                    "node " + node + ": required input " + i + " is missing");
        }
        return inputs[i];
    }

    /** Input i, or null where the optional input is absent. */
    NDArray optionalInput(int i) {
        return hasInput(i) ? inputs[i] : null;
    }

    /** The values of an integer input (shapes, axes, pads), read on the host. */
    long[] longs(int i) {
        long[] host = pass.hostLongs(node.input(i));
        return host != null ? host.clone() : input(i).toType(DataType.INT64, false).toLongArray();
    }

    /** Like {@link #longs}, or null where the input is absent or empty (ONNX's way to leave a list unset). */
    long[] optionalLongs(int i) {
        if (!hasInput(i) || inputs[i].getShape().size() == 0) {
            return null;
        }
        return longs(i);
    }

    /** The values of a float input (scales, bounds), read on the host. */
    float[] floats(int i) {
        float[] host = pass.hostFloats(node.input(i));
        return host != null ? host.clone() : input(i).toType(DataType.FLOAT32, false).toFloatArray();
    }

    /** Like {@link #floats}, or null where the input is absent or empty. */
    float[] optionalFloats(int i) {
        if (!hasInput(i) || inputs[i].getShape().size() == 0) {
            return null;
        }
        return floats(i);
    }

    /** Whether output i exists and something reads it, so that optional outputs are computed only when used. */
    boolean wantsOutput(int i) {
        return !node.output(i).isEmpty() && pass.isNeeded(node.output(i));
    }

    /** The stored value of a tensor (for Constant nodes). */
    NDArray stored(String tensor) {
        return pass.stored(tensor);
    }

    /** The refusal for a form of the operator the interpreter does not implement, found only at run time. */
    InvalidModelException unsupported(String detail) {
        return Kernels.unsupported(node, detail);
    }

    /** A run-time failure of this node, e.g. inputs whose shapes the operator cannot take. */
    NodeExecutionException failure(String detail) {
        return new NodeExecutionException(node, detail, null);
    }
}
