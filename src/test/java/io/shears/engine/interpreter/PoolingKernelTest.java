package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import io.shears.engine.NodeModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.NodeModel.stringAttr;

/** Windowed and global pooling against ONNX Runtime: pads (asymmetric, past half the kernel), ceil_mode, dilations. */
class PoolingKernelTest {
    record Case(String name, int opset, long[] input, AttributeProto... attributes) {
        @Override
        public String toString() {
            return name;
        }

        NodeModel model(String op, AttributeProto... extra) {
            AttributeProto[] all = Stream.concat(Stream.of(attributes), Stream.of(extra))
                    .toArray(AttributeProto[]::new);
            return new NodeModel(name.hashCode(), input).single(op, List.of(NodeModel.INPUT), all);
        }
    }

    private static final long[] X = {2, 3, 9, 8};

    static Stream<Case> windows() {
        return Stream.of(
                new Case("k3 s2 pads 1", 13, X, k(3, 3), intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)),
                new Case("k3 s2 ceil_mode", 13, X, k(3, 3), intsAttr("strides", 2, 2), intAttr("ceil_mode", 1)),
                new Case("k2 s2 ceil_mode", 13, X, k(2, 2), intsAttr("strides", 2, 2), intAttr("ceil_mode", 1)),
                new Case("k3 s2 pads 1 ceil_mode", 13, X, k(3, 3), intsAttr("strides", 2, 2),
                        intsAttr("pads", 1, 1, 1, 1), intAttr("ceil_mode", 1)),
                new Case("k3 s2 asymmetric pads", 13, X, k(3, 3), intsAttr("strides", 2, 2),
                        intsAttr("pads", 0, 1, 1, 0)),
                new Case("k3 s2 asymmetric pads ceil_mode", 13, X, k(3, 3), intsAttr("strides", 2, 2),
                        intsAttr("pads", 1, 0, 0, 2), intAttr("ceil_mode", 1)),
                new Case("k3 s1 pads 2 beyond half the kernel", 13, X, k(3, 3), intsAttr("pads", 2, 2, 2, 2)),
                new Case("k3x2 strides 1x2 pads 1,0", 13, X, k(3, 2), intsAttr("strides", 1, 2),
                        intsAttr("pads", 1, 0, 1, 0)),
                new Case("auto_pad SAME_UPPER k3 s2", 13, X, k(3, 3), intsAttr("strides", 2, 2),
                        stringAttr("auto_pad", "SAME_UPPER")),
                new Case("auto_pad SAME_LOWER k2 s2", 13, X, k(2, 2), intsAttr("strides", 2, 2),
                        stringAttr("auto_pad", "SAME_LOWER")),
                new Case("auto_pad VALID k3 s2", 13, X, k(3, 3), intsAttr("strides", 2, 2),
                        stringAttr("auto_pad", "VALID")),
                new Case("k1 s1 as exported by vgg", 13, X, k(1, 1), intsAttr("strides", 1, 1)),
                new Case("1-D k3 s2 pads 1 ceil_mode", 13, new long[] {2, 3, 12}, k(3), intsAttr("strides", 2),
                        intsAttr("pads", 1, 1), intAttr("ceil_mode", 1)));
    }

    static Stream<Case> dilatedWindows() {
        return Stream.of(
                new Case("k3 s1 dilation 2 pads 2", 19, X, k(3, 3), intsAttr("dilations", 2, 2),
                        intsAttr("pads", 2, 2, 2, 2)),
                new Case("k2 s2 dilation 2 ceil_mode", 19, X, k(2, 2), intsAttr("strides", 2, 2),
                        intsAttr("dilations", 2, 2), intAttr("ceil_mode", 1)),
                new Case("k3 s2 dilation 2x1 asymmetric pads", 19, X, k(3, 3), intsAttr("strides", 2, 2),
                        intsAttr("dilations", 2, 1), intsAttr("pads", 0, 1, 2, 1)));
    }

    private static AttributeProto k(long... kernel) {
        return intsAttr("kernel_shape", kernel);
    }

    @ParameterizedTest(name = "MaxPool {0}")
    @MethodSource({"windows", "dilatedWindows"})
    void maxPoolMatchesOnnxRuntime(Case c) {
        KernelCheck.matchesOrt(c.model("MaxPool"), c.opset(), "MaxPool " + c.name());
    }

    @ParameterizedTest(name = "AveragePool {0} excluding pads")
    @MethodSource({"windows", "dilatedWindows"})
    void averagePoolExcludingPadsMatchesOnnxRuntime(Case c) {
        KernelCheck.matchesOrt(c.model("AveragePool", intAttr("count_include_pad", 0)), c.opset(),
                "AveragePool excluding pads " + c.name());
    }

    @ParameterizedTest(name = "AveragePool {0} including pads")
    @MethodSource({"windows", "dilatedWindows"})
    void averagePoolIncludingPadsMatchesOnnxRuntime(Case c) {
        KernelCheck.matchesOrt(c.model("AveragePool", intAttr("count_include_pad", 1)), c.opset(),
                "AveragePool including pads " + c.name());
    }

    @ParameterizedTest(name = "LpPool p={0}")
    @ValueSource(ints = {1, 2, 3})
    void lpPoolMatchesOnnxRuntime(int p) {
        NodeModel model = new NodeModel(p, X).single("LpPool", List.of(NodeModel.INPUT), k(3, 3),
                intsAttr("strides", 2, 2), intsAttr("pads", 1, 0, 1, 1), intAttr("p", p));
        KernelCheck.matchesOrt(model, 13, "LpPool p=" + p);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"GlobalAveragePool", "GlobalMaxPool", "GlobalLpPool"})
    void globalPoolsMatchOnnxRuntime(String op) {
        KernelCheck.matchesOrt(new NodeModel(op.hashCode(), X).single(op, List.of(NodeModel.INPUT)), 13, op);
        KernelCheck.matchesOrt(new NodeModel(op.hashCode(), 2, 3, 4, 5, 3).single(op, List.of(NodeModel.INPUT)), 13,
                op + " 3-D");
    }

    @ParameterizedTest(name = "GlobalLpPool p={0}")
    @ValueSource(ints = {1, 3})
    void globalLpPoolWithOtherExponentsMatchesOnnxRuntime(int p) {
        KernelCheck.matchesOrt(new NodeModel(p, X).single("GlobalLpPool", List.of(NodeModel.INPUT), intAttr("p", p)),
                13, "GlobalLpPool p=" + p);
    }
}
