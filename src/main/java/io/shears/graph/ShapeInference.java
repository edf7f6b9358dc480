package io.shears.graph;

import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.onnx.ElementType;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.TensorValues;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Static shape inference from the model's declared input shapes. Dynamic dimensions come from the caller; a dynamic
 * batch dimension defaults to 1. Every node must have a rule in {@link OperatorRules}, or else full static shapes
 * for its outputs in the model's value_info; otherwise the node is refused by name.
 */
public final class ShapeInference {
    /** Key for a caller shape that applies to the model's only input, whatever its name. */
    public static final String ONLY_INPUT = "";

    private ShapeInference() {
    }

    public static Shapes infer(Graph graph, Map<String, long[]> inputShapes) {
        Shapes shapes = new Shapes();
        seedInputs(graph, inputShapes, shapes);
        for (Map.Entry<String, TensorProto> e : graph.initializers().entrySet()) {
            seedStored(e.getKey(), e.getValue(), shapes);
        }
        Map<String, ValueInfoProto> declared = declaredValueInfo(graph);
        for (Node node : graph.nodes()) {
            OperatorRules.Rule rule = node.domain().isEmpty() || node.domain().equals("ai.onnx")
                    ? OperatorRules.rule(node.op()) : null;
            if (rule != null) {
                try {
                    rule.shape().infer(new ShapeContext(graph, shapes, node));
                } catch (ArithmeticException | IndexOutOfBoundsException | IllegalArgumentException e) {
                    throw new InvalidModelException(ModelProblem.SHAPE_INFERENCE_FAILED,
                            "node " + node + ": inputs or attributes are malformed (" + e.getMessage() + ")", e);
                }
            } else if (!useDeclared(node, declared, shapes)) {
                throw new InvalidModelException(ModelProblem.UNSUPPORTED_OPERATOR, "node " + node + ": operator '"
                        + (node.domain().isEmpty() ? "" : node.domain() + ".") + node.op()
                        + "' is not supported and the model declares no static shape for its outputs");
            }
        }
        return shapes;
    }

    private static void seedInputs(Graph graph, Map<String, long[]> given, Shapes shapes) {
        List<ValueInfoProto> inputs = graph.inputs();
        for (ValueInfoProto in : inputs) {
            long[] override = given.get(in.getName());
            if (override == null && inputs.size() == 1) {
                override = given.get(ONLY_INPUT);
            }
            TensorShapeProto declared = in.getType().getTensorType().getShape();
            long[] dims = new long[declared.getDimCount()];
            boolean shaped = in.getType().getTensorType().hasShape();
            if (override == null && !shaped) {
                throw new InvalidModelException(ModelProblem.INPUT_SHAPE_REQUIRED, "input '" + in.getName()
                        + "' declares no shape; give the input shape");
            }
            if (override != null && shaped && override.length != dims.length) {
                throw new InvalidModelException(ModelProblem.INPUT_SHAPE_MISMATCH, "input '" + in.getName()
                        + "' has rank " + dims.length + " but the given shape " + TensorType.format(override)
                        + " has rank " + override.length);
            }
            if (override != null && !shaped) {
                dims = override.clone();
            }
            for (int i = 0; i < declared.getDimCount(); i++) {
                TensorShapeProto.Dimension d = declared.getDim(i);
                boolean fixed = d.hasDimValue() && d.getDimValue() > 0;
                if (override != null) {
                    if (fixed && override[i] != d.getDimValue()) {
                        throw new InvalidModelException(ModelProblem.INPUT_SHAPE_MISMATCH, "input '" + in.getName()
                                + "' fixes dimension " + i + " to " + d.getDimValue() + " but the given shape says "
                                + override[i]);
                    }
                    dims[i] = override[i];
                } else if (fixed) {
                    dims[i] = d.getDimValue();
                } else if (i == 0) {
                    dims[i] = 1;
                } else {
                    throw new InvalidModelException(ModelProblem.INPUT_SHAPE_REQUIRED, "input '" + in.getName()
                            + "' has dynamic dimension " + i + " ('" + d.getDimParam() + "'); give the input shape");
                }
            }
            ModelLimits.defaults().checkShape("input '" + in.getName() + "'", dims);
            shapes.put(in.getName(), new TensorType(in.getType().getTensorType().getElemType(), dims));
        }
    }

    private static void seedStored(String name, TensorProto t, Shapes shapes) {
        long[] dims = TensorValues.dims(t);
        shapes.put(name, new TensorType(t.getDataType(), dims));
        ElementType type = TensorValues.elementType(t);
        if (type != null && !type.isFloating() && type != ElementType.BOOL && TensorValues.elementCount(t) <= 1024) {
            shapes.putValue(name, TensorValues.longs(t));
        }
    }

    private static Map<String, ValueInfoProto> declaredValueInfo(Graph graph) {
        Map<String, ValueInfoProto> declared = new HashMap<>();
        for (ValueInfoProto v : graph.model().getGraph().getValueInfoList()) {
            declared.put(v.getName(), v);
        }
        for (ValueInfoProto v : graph.model().getGraph().getOutputList()) {
            declared.put(v.getName(), v);
        }
        return declared;
    }

    private static boolean useDeclared(Node node, Map<String, ValueInfoProto> declared, Shapes shapes) {
        Map<String, TensorType> found = new HashMap<>();
        for (String out : node.outputs()) {
            if (out.isEmpty()) {
                continue;
            }
            ValueInfoProto v = declared.get(out);
            if (v == null || !v.getType().hasTensorType() || !v.getType().getTensorType().hasShape()) {
                return false;
            }
            TensorShapeProto s = v.getType().getTensorType().getShape();
            long[] dims = new long[s.getDimCount()];
            for (int i = 0; i < dims.length; i++) {
                if (!s.getDim(i).hasDimValue()) {
                    return false;
                }
                dims[i] = s.getDim(i).getDimValue();
            }
            found.put(out, new TensorType(v.getType().getTensorType().getElemType(), dims));
        }
        found.forEach(shapes::put);
        return true;
    }
}
