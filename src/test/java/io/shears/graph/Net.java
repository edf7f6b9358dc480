package io.shears.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import io.shears.onnx.Protos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A terse builder of hand-made test models with one float input {@code x}: nodes are named {@code <op><n>} and their
 * (first) output has the node's name, so tests can refer to a tensor by the name the call returned.
 */
final class Net {
    private final int opset;
    private final List<ValueInfoProto> inputs = new ArrayList<>();
    private final List<TensorProto> initializers = new ArrayList<>();
    private final List<NodeProto> nodes = new ArrayList<>();
    private final List<ValueInfoProto> valueInfo = new ArrayList<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private long seed = 1;

    /** A model whose input {@code x} has these dims; {@link Protos#DYNAMIC} marks the symbolic batch. */
    Net(int opset, long... inputDims) {
        this.opset = opset;
        inputs.add(Protos.floatInfo("x", inputDims));
    }

    Net input(ValueInfoProto extra) {
        inputs.add(extra);
        return this;
    }

    String node(String op, List<String> in, AttributeProto... attributes) {
        String name = nextName(op);
        nodes.add(Protos.node(name, op, in, List.of(name), attributes));
        return name;
    }

    /** A node with several outputs, named {@code <node>_<i>}. */
    String[] multi(String op, List<String> in, int outputs, AttributeProto... attributes) {
        String name = nextName(op);
        String[] outs = new String[outputs];
        for (int i = 0; i < outputs; i++) {
            outs[i] = name + "_" + i;
        }
        nodes.add(Protos.node(name, op, in, List.of(outs), attributes));
        return outs;
    }

    Net raw(NodeProto node) {
        nodes.add(node);
        return this;
    }

    Net declare(ValueInfoProto info) {
        valueInfo.add(info);
        return this;
    }

    /** A random float initializer of these dims. */
    String weight(long... dims) {
        String name = nextName("w");
        initializers.add(Protos.randomFloats(name, seed++, dims));
        return name;
    }

    /** A float initializer with given values. */
    String floats(long[] dims, float... values) {
        String name = nextName("f");
        initializers.add(Protos.rawFloats(name, dims, values));
        return name;
    }

    /** A 1-D int64 initializer. */
    String ints(long... values) {
        String name = nextName("i");
        initializers.add(Protos.longs(name, values));
        return name;
    }

    /** A 1-D int64 Constant node. */
    String constInts(long... values) {
        String name = nextName("c");
        nodes.add(Protos.constant(Protos.longs(name, values)));
        return name;
    }

    /** A scalar int64 Constant node. */
    String constScalar(long value) {
        String name = nextName("c");
        nodes.add(Protos.constant(Protos.scalarLong(name, value)));
        return name;
    }

    ModelProto build(String... outputs) {
        GraphProto.Builder g = GraphProto.newBuilder().setName("net").addAllInput(inputs)
                .addAllInitializer(initializers).addAllNode(nodes).addAllValueInfo(valueInfo);
        for (String out : outputs) {
            g.addOutput(Protos.untypedShape(out, Protos.FLOAT));
        }
        return Protos.model(opset, g.build());
    }

    private String nextName(String kind) {
        int n = counters.merge(kind, 1, Integer::sum);
        return kind.toLowerCase() + n;
    }
}
