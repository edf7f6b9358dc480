package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.graph.Graph;
import io.shears.graph.Node;
import io.shears.onnx.TensorValues;

import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stored tensors of a model as NDArrays on one manager. Every float32 initializer, and every float32 Constant
 * output that an operator reads as a weight, is a DJL {@link Parameter} (trainable or not by its {@link StoredRole});
 * everything else stored (integer shape constants, axes, other Constant values) is a constant array. Small constants
 * are also kept on the host, so kernels read axes and shapes without a device round trip.
 */
final class ModelWeights implements AutoCloseable {
    private static final long HOST_COPY_LIMIT = 4096;

    private final NDManager manager;
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, StoredRole> roles = new HashMap<>();
    private final Map<String, NDArray> constants = new HashMap<>();
    private final Map<String, long[]> hostLongs = new HashMap<>();
    private final Map<String, float[]> hostFloats = new HashMap<>();

    private ModelWeights(NDManager manager) {
        this.manager = manager;
    }

    static ModelWeights load(Graph graph, NDManager parent) {
        ModelWeights weights = new ModelWeights(parent.newSubManager());
        try {
            Map<String, StoredRole> roles = WeightRoles.classify(graph);
            for (Map.Entry<String, TensorProto> e : graph.initializers().entrySet()) {
                TensorProto tensor = e.getValue();
                if (TensorArrays.isFloat32(tensor)) {
                    weights.addParameter(e.getKey(), tensor, roles.getOrDefault(e.getKey(), StoredRole.CONSTANT));
                } else {
                    weights.addConstant(e.getKey(), tensor);
                }
            }
            for (Node node : graph.nodes()) {
                if (node.op().equals("Constant") && node.domain().isEmpty()) {
                    String name = node.output(0);
                    TensorProto tensor = graph.weight(name);
                    StoredRole role = roles.getOrDefault(name, StoredRole.CONSTANT);
                    if (TensorArrays.isFloat32(tensor) && role != StoredRole.CONSTANT) {
                        weights.addParameter(name, tensor, role);
                    } else {
                        weights.addConstant(name, tensor);
                    }
                }
            }
            return weights;
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private void addParameter(String name, TensorProto tensor, StoredRole role) {
        NDArray array = TensorArrays.toArray(tensor, manager);
        array.setName(name);
        if (role.trainable()) {
            array.setRequiresGradient(true);
        }
        Parameter parameter = Parameter.builder().setName(name).setType(role.parameterType())
                .optShape(array.getShape()).optArray(array).optRequiresGrad(role.trainable()).build();
        parameters.put(name, parameter);
        roles.put(name, role);
        if (role == StoredRole.CONSTANT && TensorValues.elementCount(tensor) <= HOST_COPY_LIMIT) {
            hostFloats.put(name, TensorValues.floats(tensor));
        }
    }

    private void addConstant(String name, TensorProto tensor) {
        NDArray array = TensorArrays.toArray(tensor, manager);
        array.setName(name);
        constants.put(name, array);
        if (TensorValues.elementCount(tensor) <= HOST_COPY_LIMIT) {
            if (TensorValues.elementType(tensor).isFloating()) {
                hostFloats.put(name, TensorValues.floats(tensor));
            } else {
                hostLongs.put(name, TensorValues.longs(tensor));
            }
        }
    }

    NDManager manager() {
        return manager;
    }

    /** Parameters by tensor name, in initializer order then Constant-node order. */
    Map<String, Parameter> parameters() {
        return Collections.unmodifiableMap(parameters);
    }

    StoredRole role(String name) {
        return roles.get(name);
    }

    Parameter parameter(String name) {
        return parameters.get(name);
    }

    NDArray constant(String name) {
        return constants.get(name);
    }

    boolean isStored(String name) {
        return parameters.containsKey(name) || constants.containsKey(name);
    }

    /** The values of a small integer constant, or null. */
    long[] hostLongs(String name) {
        return hostLongs.get(name);
    }

    /** The values of a small float constant (one that training never changes), or null. */
    float[] hostFloats(String name) {
        return hostFloats.get(name);
    }

    @Override
    public void close() {
        manager.close();
    }
}
