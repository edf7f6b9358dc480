package io.shears.graph;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.TensorValues;

/** What a {@link ShapeRule} sees of one node: its input types and known values, and where to put its outputs. */
public final class ShapeContext {
    private final Graph graph;
    private final Shapes shapes;
    private final Node node;

    ShapeContext(Graph graph, Shapes shapes, Node node) {
        this.graph = graph;
        this.shapes = shapes;
        this.node = node;
    }

    public Node node() {
        return node;
    }

    public int opset() {
        return graph.opset();
    }

    public boolean hasInput(int i) {
        return !node.input(i).isEmpty();
    }

    public int inputCount() {
        return node.inputCount();
    }

    public TensorType input(int i) {
        TensorType t = shapes.type(node.input(i));
        if (t == null) {
            throw fail("input " + i + " ('" + node.input(i) + "') has no known shape");
        }
        return t;
    }

    public long[] dims(int i) {
        return input(i).dims();
    }

    public int elemType(int i) {
        return input(i).elemType();
    }

    /** The integer value of input i, when it is folded or stored; null otherwise. */
    public long[] intValue(int i) {
        return hasInput(i) ? shapes.intValue(node.input(i)) : null;
    }

    /** Like {@link #intValue} but the node cannot be inferred without it. */
    public long[] requireIntValue(int i, String what) {
        long[] v = intValue(i);
        if (v == null) {
            throw fail(what + " (input " + i + ", '" + node.input(i) + "') is computed at run time and cannot be folded");
        }
        return v;
    }

    /** The float value of a stored input (initializer or Constant), or null. */
    public float[] floatValue(int i) {
        if (!hasInput(i)) {
            return null;
        }
        TensorProto t = graph.weight(node.input(i));
        return t == null ? null : TensorValues.floats(t);
    }

    public void output(int i, int elemType, long... dims) {
        if (!node.output(i).isEmpty()) {
            for (long d : dims) {
                if (d < 0) {
                    throw fail("output " + i + " would have negative dimension " + d);
                }
            }
            // every tensor, not only the inputs and weights, stays within the limits, so that costs cannot overflow
            ModelLimits.defaults().checkShape("node " + node + ": output " + i, dims);
            shapes.put(node.output(i), new TensorType(elemType, dims));
        }
    }

    public void output(int i, TensorType type) {
        output(i, type.elemType(), type.dims().clone());
    }

    public void outputValue(int i, int elemType, long[] dims, long[] values) {
        output(i, elemType, dims);
        if (!node.output(i).isEmpty()) {
            shapes.putValue(node.output(i), values);
        }
    }

    public InvalidModelException fail(String message) {
        return new InvalidModelException(ModelProblem.SHAPE_INFERENCE_FAILED, "node " + node + ": " + message);
    }
}
