package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.engine.NodeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static io.shears.engine.NodeModel.floatAttr;
import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.stringAttr;

/** Activations, element-wise math, arithmetic with broadcasting, comparisons and logic against ONNX Runtime. */
class ElementwiseKernelTest {
    private static final long[] X = {2, 3, 4, 5};

    record Unary(String op, int opset, double low, double high, AttributeProto... attributes) {
        @Override
        public String toString() {
            return op + (attributes.length == 0 ? "" : " " + attributes[0].getName());
        }
    }

    static Stream<Unary> unaryOps() {
        return Stream.of(
                new Unary("Relu", 13, -3, 3),
                new Unary("LeakyRelu", 13, -3, 3, floatAttr("alpha", 0.2f)),
                new Unary("LeakyRelu", 13, -3, 3),
                new Unary("Sigmoid", 13, -6, 6),
                new Unary("HardSigmoid", 13, -6, 6, floatAttr("alpha", 0.3f), floatAttr("beta", 0.4f)),
                new Unary("HardSigmoid", 13, -6, 6),
                new Unary("HardSwish", 14, -6, 6),
                new Unary("Tanh", 13, -3, 3),
                new Unary("Erf", 13, -3, 3),
                new Unary("Elu", 13, -3, 3, floatAttr("alpha", 0.7f)),
                new Unary("Selu", 13, -3, 3),
                new Unary("Selu", 13, -3, 3, floatAttr("alpha", 1.2f), floatAttr("gamma", 0.9f)),
                new Unary("Celu", 13, -3, 3, floatAttr("alpha", 0.8f)),
                new Unary("Gelu", 20, -4, 4),
                new Unary("Gelu", 20, -4, 4, stringAttr("approximate", "tanh")),
                new Unary("Mish", 18, -4, 4),
                new Unary("Softplus", 13, -30, 30),
                new Unary("Softsign", 13, -3, 3),
                new Unary("ThresholdedRelu", 13, -3, 3, floatAttr("alpha", 0.3f)),
                new Unary("Shrink", 13, -3, 3, floatAttr("lambd", 0.3f), floatAttr("bias", 0.1f)),
                new Unary("Exp", 13, -3, 3),
                new Unary("Log", 13, 0.01, 5),
                new Unary("Sqrt", 13, 0, 5),
                new Unary("Neg", 13, -3, 3),
                new Unary("Abs", 13, -3, 3),
                new Unary("Reciprocal", 13, 0.2, 3),
                new Unary("Floor", 13, -5, 5),
                new Unary("Ceil", 13, -5, 5),
                new Unary("Round", 13, -5, 5),
                new Unary("Sign", 13, -3, 3),
                new Unary("Sin", 13, -4, 4),
                new Unary("Cos", 13, -4, 4),
                new Unary("Identity", 13, -3, 3),
                new Unary("Dropout", 13, -3, 3),
                new Unary("Softmax", 13, -3, 3),
                new Unary("Softmax", 13, -3, 3, intAttr("axis", 1)),
                new Unary("Softmax", 11, -3, 3, intAttr("axis", 2)),
                new Unary("Softmax", 11, -3, 3),
                new Unary("LogSoftmax", 13, -3, 3, intAttr("axis", 2)),
                new Unary("LogSoftmax", 11, -3, 3, intAttr("axis", 1)),
                new Unary("Hardmax", 13, -3, 3, intAttr("axis", 1)),
                new Unary("Hardmax", 11, -3, 3, intAttr("axis", 2)),
                new Unary("LRN", 13, -3, 3, intAttr("size", 3)),
                new Unary("LRN", 13, -3, 3, intAttr("size", 5), floatAttr("alpha", 0.01f), floatAttr("beta", 0.5f),
                        floatAttr("bias", 2f)));
    }

    @ParameterizedTest(name = "{0} opset {1}")
    @MethodSource("unaryOps")
    void unaryOpsMatchOnnxRuntime(Unary u) {
        NodeModel model = new NodeModel(u.op().hashCode(), X).single(u.op(), List.of(NodeModel.INPUT), u.attributes());
        KernelCheck.matchesOrt(model, u.opset(), KernelCheck.uniform(u.toString().hashCode(), X, u.low(), u.high()),
                u.toString());
    }

    @Test
    void preluWithPerChannelAndScalarSlopesMatchesOnnxRuntime() {
        for (long[] slope : new long[][] {{3, 1, 1}, {1}, {5}}) {
            NodeModel m = new NodeModel(slope.length, X);
            m.single("PRelu", List.of(NodeModel.INPUT, m.randomFloats("slope", slope)));
            KernelCheck.matchesOrt(m, 13, "PRelu slope " + Arrays.toString(slope));
        }
    }

    @Test
    void clipInEveryFormMatchesOnnxRuntime() {
        NodeModel both = new NodeModel(1, X);
        both.single("Clip", List.of(NodeModel.INPUT, both.scalar("lo", -0.3f), both.scalar("hi", 0.6f)));
        KernelCheck.matchesOrt(both, 13, "Clip min and max");
        NodeModel minOnly = new NodeModel(2, X);
        minOnly.single("Clip", List.of(NodeModel.INPUT, minOnly.scalar("lo", 0.1f)));
        KernelCheck.matchesOrt(minOnly, 13, "Clip min only");
        NodeModel maxOnly = new NodeModel(3, X);
        maxOnly.single("Clip", List.of(NodeModel.INPUT, "", maxOnly.scalar("hi", 0.2f)));
        KernelCheck.matchesOrt(maxOnly, 13, "Clip max only");
        KernelCheck.matchesOrt(new NodeModel(4, X).single("Clip", List.of(NodeModel.INPUT), floatAttr("min", -0.5f),
                floatAttr("max", 0.25f)), 6, "Clip-6 attributes");
    }

    static Stream<Arguments> binaryOps() {
        List<Arguments> cases = new ArrayList<>();
        for (String op : new String[] {"Add", "Sub", "Mul", "Div", "Pow", "Max", "Min"}) {
            for (long[] operand : new long[][] {{2, 3, 4, 5}, {3, 1, 1}, {1, 3, 1, 1}, {5}, {}, {4, 1}}) {
                cases.add(Arguments.of(op, operand));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} with operand {1}")
    @MethodSource("binaryOps")
    void binaryOpsBroadcastAsOnnxRuntime(String op, long[] operand) {
        NodeModel m = new NodeModel(op.hashCode(), X);
        String b = m.floats("b", operand, positive(m, operand));
        m.single(op, List.of(NodeModel.INPUT, b));
        float[] input = op.equals("Pow") ? KernelCheck.uniform(7, X, 0.1, 2) : KernelCheck.uniform(7, X, -3, 3);
        KernelCheck.matchesOrt(m, 13, input, op + " " + Arrays.toString(operand));
    }

    /** Operands in [0.5, 1.5]: divisors away from zero, exponents that keep powers tame. */
    private static float[] positive(NodeModel m, long[] dims) {
        float[] values = KernelCheck.uniform(dims.length + 11, dims.length == 0 ? new long[] {1} : dims, 0.5, 1.5);
        return values;
    }

    /**
     * GELU as exporters write it before opset 20: exact, 0.5·x·(1 + erf(x / √2)); and tanh-approximated,
     * 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), the cube as Pow.
     */
    @Test
    void decomposedGeluMatchesOnnxRuntime() {
        NodeModel exact = new NodeModel(1, X);
        exact.node("Div", List.of(NodeModel.INPUT, exact.scalar("root2", (float) Math.sqrt(2))), List.of("scaled"));
        exact.node("Erf", List.of("scaled"), List.of("erf"));
        exact.node("Add", List.of("erf", exact.scalar("one", 1f)), List.of("gate"));
        exact.node("Mul", List.of(NodeModel.INPUT, "gate"), List.of("gated"));
        exact.single("Mul", List.of("gated", exact.scalar("half", 0.5f)));
        KernelCheck.matchesOrt(exact, 13, KernelCheck.uniform(1, X, -4, 4), "GELU with Erf");

        NodeModel tanh = new NodeModel(2, X);
        tanh.node("Pow", List.of(NodeModel.INPUT, tanh.scalar("three", 3f)), List.of("cube"));
        tanh.node("Mul", List.of("cube", tanh.scalar("c", 0.044715f)), List.of("cubic"));
        tanh.node("Add", List.of(NodeModel.INPUT, "cubic"), List.of("inner"));
        tanh.node("Mul", List.of("inner", tanh.scalar("k", (float) Math.sqrt(2 / Math.PI))), List.of("scaled"));
        tanh.node("Tanh", List.of("scaled"), List.of("t"));
        tanh.node("Add", List.of("t", tanh.scalar("one", 1f)), List.of("gate"));
        tanh.node("Mul", List.of(NodeModel.INPUT, "gate"), List.of("gated"));
        tanh.single("Mul", List.of("gated", tanh.scalar("half", 0.5f)));
        KernelCheck.matchesOrt(tanh, 13, KernelCheck.uniform(2, X, -4, 4), "GELU tanh-approximated");
    }

    @Test
    void variadicOpsMatchOnnxRuntime() {
        for (String op : new String[] {"Max", "Min", "Sum", "Mean"}) {
            NodeModel m = new NodeModel(op.hashCode(), X);
            m.single(op, List.of(NodeModel.INPUT, m.randomFloats("b", 3, 1, 1), m.randomFloats("c", 5)));
            KernelCheck.matchesOrt(m, 13, op + " of three");
            KernelCheck.matchesOrt(new NodeModel(op.hashCode(), X).single(op, List.of(NodeModel.INPUT)), 13,
                    op + " of one");
        }
    }

    @Test
    void floatModFollowsTheDividendsSign() {
        NodeModel m = new NodeModel(5, X);
        String divisors = m.floats("b", new long[] {5}, 0.7f, -0.45f, 1.3f, -2.1f, 0.25f);
        m.single("Mod", List.of(NodeModel.INPUT, divisors), intAttr("fmod", 1));
        KernelCheck.matchesOrt(m, 13, KernelCheck.uniform(5, X, -3, 3), "Mod fmod=1");
    }

    @Test
    void integerDivAndModTruncateAsOnnxDefines() {
        for (String op : new String[] {"Div", "Mod"}) {
            NodeModel m = new NodeModel(6, X);
            m.node("Mul", List.of(NodeModel.INPUT, m.scalar("ten", 10f)), List.of("scaled"));
            m.node("Cast", List.of("scaled"), List.of("ints"), intAttr("to", TensorProto.DataType.INT64_VALUE));
            m.node(op, List.of("ints", m.longs("d", 3, -4, 7, -2, 5)), List.of("q"));
            m.outputAsFloat("q");
            KernelCheck.matchesOrt(m, 13, "integer " + op);
        }
    }

    @Test
    void comparisonsAndLogicMatchOnnxRuntime() {
        for (String op : new String[] {"Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"}) {
            NodeModel m = new NodeModel(op.hashCode(), X);
            m.node("Floor", List.of(NodeModel.INPUT), List.of("whole"));
            m.node(op, List.of("whole", m.floats("b", new long[] {5}, -1, 0, 1, 0, -1)), List.of("c"));
            m.outputAsFloat("c");
            KernelCheck.matchesOrt(m, 13, KernelCheck.uniform(op.hashCode(), X, -2, 2), op);
        }
        for (String op : new String[] {"And", "Or", "Xor"}) {
            NodeModel m = new NodeModel(op.hashCode(), X);
            m.node("Greater", List.of(NodeModel.INPUT, m.scalar("zero", 0f)), List.of("positive"));
            m.node("Less", List.of(NodeModel.INPUT, m.randomFloats("t", 3, 1, 1)), List.of("below"));
            m.node(op, List.of("positive", "below"), List.of("c"));
            m.node("Not", List.of("c"), List.of("not"));
            m.outputAsFloat("c");
            m.outputAsFloat("not");
            KernelCheck.matchesOrt(m, 13, op + " and Not");
        }
    }

    @Test
    void whereBroadcastsItsThreeInputs() {
        NodeModel m = new NodeModel(8, X);
        m.node("Greater", List.of(NodeModel.INPUT, m.randomFloats("t", 5)), List.of("condition"));
        m.single("Where", List.of("condition", NodeModel.INPUT, m.randomFloats("other", 3, 1, 1)));
        KernelCheck.matchesOrt(m, 13, "Where");
        NodeModel n = new NodeModel(9, X);
        n.node("Less", List.of(n.randomFloats("a", 3, 1, 1), n.randomFloats("b", 1, 4, 1)), List.of("small"));
        n.single("Where", List.of("small", n.scalar("one", 1f), NodeModel.INPUT));
        KernelCheck.matchesOrt(n, 13, "Where with a small condition and a scalar");
    }

    @Test
    void isNaNAndBitShiftMatchOnnxRuntime() {
        NodeModel nan = new NodeModel(10, X);
        nan.node("Log", List.of(NodeModel.INPUT), List.of("logs"));
        nan.node("IsNaN", List.of("logs"), List.of("nan"));
        nan.outputAsFloat("nan");
        KernelCheck.matchesOrt(nan, 13, "IsNaN");
        for (String direction : new String[] {"LEFT", "RIGHT"}) {
            NodeModel m = new NodeModel(11, X);
            m.node("Abs", List.of(NodeModel.INPUT), List.of("abs"));
            m.node("Mul", List.of("abs", m.scalar("scale", 100f)), List.of("scaled"));
            m.node("Cast", List.of("scaled"), List.of("u"), intAttr("to", TensorProto.DataType.UINT32_VALUE));
            m.node("Cast", List.of(m.longs("s", 0, 1, 2, 3, 4)), List.of("shift"),
                    intAttr("to", TensorProto.DataType.UINT32_VALUE));
            m.node("BitShift", List.of("u", "shift"), List.of("shifted"), stringAttr("direction", direction));
            m.outputAsFloat("shifted");
            KernelCheck.matchesOrt(m, 13, "BitShift " + direction);
        }
    }
}
