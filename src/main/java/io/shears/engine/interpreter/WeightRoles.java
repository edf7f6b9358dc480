package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.onnx.TensorValues;

import java.util.HashMap;
import java.util.Map;

/**
 * Reads the role of every stored float32 tensor from the inputs that consume it (through Identity aliases, as
 * {@link Graph#weightSource} resolves them, and through operators that only move its values, such as the Transpose
 * of an exporter that did not fold a Linear's weight or the Expand and Concat that put a class token in front of
 * the patches). Tensors no operator reads as a weight are {@link StoredRole#CONSTANT}.
 */
final class WeightRoles {
    private WeightRoles() {
    }

    /** Role per stored tensor name (initializer or Constant output); tensors read by nothing are absent. */
    static Map<String, StoredRole> classify(Graph graph) {
        Map<String, StoredRole> roles = new HashMap<>();
        for (Node node : graph.nodes()) {
            for (int i = 0; i < node.inputCount(); i++) {
                String input = node.input(i);
                String source = input.isEmpty() ? null : graph.weightSource(input);
                if (source == null) {
                    continue;
                }
                TensorProto tensor = graph.weight(input);
                if (TensorArrays.isFloat32(tensor)) {
                    roles.merge(source, roleThrough(graph, node, i, TensorValues.elementCount(tensor)),
                            StoredRole::strongest);
                }
            }
        }
        return roles;
    }

    /**
     * The role of a stored tensor read at {@code input}; where the operator only moves its values, the strongest role
     * those moved values get further on.
     */
    private static StoredRole roleThrough(Graph graph, Node node, int input, long elements) {
        if (!movesValuesOf(node, input)) {
            return roleOf(node, input, elements);
        }
        StoredRole role = StoredRole.CONSTANT;
        for (String output : node.outputs()) {
            for (Node consumer : graph.consumers(output)) {
                for (int i = 0; i < consumer.inputCount(); i++) {
                    if (consumer.input(i).equals(output)) {
                        role = role.strongest(roleThrough(graph, consumer, i, elements));
                    }
                }
            }
        }
        return role;
    }

    /** Whether the operator's outputs hold this input's values moved, repeated or selected, and nothing computed. */
    private static boolean movesValuesOf(Node node, int input) {
        return switch (node.op()) {
            case "Concat" -> true;
            case "Transpose", "Reshape", "Expand", "Slice", "Gather", "Split", "Squeeze", "Unsqueeze", "Flatten",
                 "Tile" -> input == 0;
            default -> false;
        };
    }

    static StoredRole roleOf(Node node, int input, long elements) {
        return switch (node.op()) {
            case "Conv", "ConvTranspose" -> input == 1 ? StoredRole.WEIGHT : input == 2 ? StoredRole.BIAS
                    : StoredRole.CONSTANT;
            case "Gemm" -> input == 2 ? StoredRole.BIAS : StoredRole.WEIGHT;
            case "MatMul" -> StoredRole.WEIGHT;
            case "PRelu" -> input == 1 ? StoredRole.WEIGHT : StoredRole.CONSTANT;
            case "BatchNormalization" -> switch (input) {
                case 1 -> StoredRole.GAMMA;
                case 2 -> StoredRole.BETA;
                case 3 -> StoredRole.RUNNING_MEAN;
                case 4 -> StoredRole.RUNNING_VAR;
                default -> StoredRole.CONSTANT;
            };
            case "InstanceNormalization", "LayerNormalization" -> input == 1 ? StoredRole.GAMMA
                    : input == 2 ? StoredRole.BETA
                    : StoredRole.CONSTANT;
            // a tensor of one value is a scalar of the formula (x / 6, x + 3), not a learned per-channel factor
            case "Add", "Sub", "Mul", "Div" -> elements > 1 ? StoredRole.ELEMENTWISE_PARAMETER : StoredRole.CONSTANT;
            default -> StoredRole.CONSTANT;
        };
    }
}
