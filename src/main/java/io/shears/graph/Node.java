package io.shears.graph;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;

import java.util.List;

/** A read-only view of one ONNX node with typed attribute access. {@code index} is its position in the file. */
public final class Node {
    private final NodeProto proto;
    private final int index;
    private final String name;

    Node(NodeProto proto, int index) {
        this.proto = proto;
        this.index = index;
        this.name = proto.getName().isEmpty() ? proto.getOpType() + "_" + index : proto.getName();
    }

    public NodeProto proto() {
        return proto;
    }

    public int index() {
        return index;
    }

    /** The node's name, or {@code Op_index} where the file gives none, so every message can name a node. */
    public String name() {
        return name;
    }

    public String op() {
        return proto.getOpType();
    }

    public String domain() {
        return proto.getDomain();
    }

    public List<String> inputs() {
        return proto.getInputList();
    }

    public List<String> outputs() {
        return proto.getOutputList();
    }

    public int inputCount() {
        return proto.getInputCount();
    }

    /** The i-th input name, or "" where the optional input is absent. */
    public String input(int i) {
        return i < proto.getInputCount() ? proto.getInput(i) : "";
    }

    public String output(int i) {
        return i < proto.getOutputCount() ? proto.getOutput(i) : "";
    }

    public AttributeProto attribute(String attr) {
        for (AttributeProto a : proto.getAttributeList()) {
            if (a.getName().equals(attr)) {
                return a;
            }
        }
        return null;
    }

    public boolean has(String attr) {
        return attribute(attr) != null;
    }

    public long attrInt(String attr, long fallback) {
        AttributeProto a = attribute(attr);
        return a == null ? fallback : a.getI();
    }

    public float attrFloat(String attr, float fallback) {
        AttributeProto a = attribute(attr);
        return a == null ? fallback : a.getF();
    }

    public String attrString(String attr, String fallback) {
        AttributeProto a = attribute(attr);
        return a == null ? fallback : a.getS().toStringUtf8();
    }

    /** The ints of an attribute, or null where it is absent. */
    public long[] attrInts(String attr) {
        AttributeProto a = attribute(attr);
        return a == null ? null : a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    public float[] attrFloats(String attr) {
        AttributeProto a = attribute(attr);
        if (a == null) {
            return null;
        }
        float[] out = new float[a.getFloatsCount()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.getFloats(i);
        }
        return out;
    }

    public TensorProto attrTensor(String attr) {
        AttributeProto a = attribute(attr);
        return a == null || !a.hasT() ? null : a.getT();
    }

    @Override
    public String toString() {
        return "'" + name + "' (" + op() + ")";
    }
}
