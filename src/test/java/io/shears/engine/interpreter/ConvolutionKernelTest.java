package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.AttributeProto;
import io.shears.engine.NodeModel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.NodeModel.stringAttr;

/** Conv and ConvTranspose against ONNX Runtime across pads (asymmetric too), strides, dilations, groups, auto_pad. */
class ConvolutionKernelTest {
    record Case(String name, long[] input, long[] weight, boolean bias, AttributeProto... attributes) {
        @Override
        public String toString() {
            return name;
        }

        NodeModel model(String op) {
            NodeModel m = new NodeModel(name.hashCode(), input);
            List<String> inputs = new ArrayList<>(List.of(NodeModel.INPUT, m.randomFloats("w", weight)));
            if (bias) {
                long channels = op.equals("Conv") ? weight[0] : weight[1] * group();
                inputs.add(m.randomFloats("b", channels));
            }
            return m.single(op, inputs, attributes);
        }

        private long group() {
            for (AttributeProto a : attributes) {
                if (a.getName().equals("group")) {
                    return a.getI();
                }
            }
            return 1;
        }
    }

    static Stream<Case> convolutions() {
        long[] x = {2, 4, 9, 8};
        return Stream.of(
                new Case("k3 s1 pads 1", x, new long[] {6, 4, 3, 3}, true, intsAttr("pads", 1, 1, 1, 1)),
                new Case("k3 s2 asymmetric pads", x, new long[] {6, 4, 3, 3}, false, intsAttr("strides", 2, 2),
                        intsAttr("pads", 0, 1, 1, 0)),
                new Case("k3 dilation 2 pads 2", x, new long[] {5, 4, 3, 3}, true, intsAttr("dilations", 2, 2),
                        intsAttr("pads", 2, 2, 2, 2)),
                new Case("k3x1 strides 2x1 pads 1,0", x, new long[] {5, 4, 3, 1}, true, intsAttr("strides", 2, 1),
                        intsAttr("pads", 1, 0, 1, 0)),
                new Case("k1 pads beyond the kernel", x, new long[] {3, 4, 1, 1}, true, intsAttr("pads", 2, 1, 0, 2)),
                new Case("group 2", x, new long[] {6, 2, 3, 3}, true, intAttr("group", 2),
                        intsAttr("pads", 1, 1, 1, 1)),
                new Case("depthwise with multiplier 2", x, new long[] {8, 1, 3, 3}, false, intAttr("group", 4),
                        intsAttr("strides", 2, 2), intsAttr("pads", 1, 1, 1, 1)),
                new Case("auto_pad SAME_UPPER k4 s2", x, new long[] {6, 4, 4, 4}, true,
                        stringAttr("auto_pad", "SAME_UPPER"), intsAttr("strides", 2, 2)),
                new Case("auto_pad SAME_LOWER k4 s2", x, new long[] {6, 4, 4, 4}, true,
                        stringAttr("auto_pad", "SAME_LOWER"), intsAttr("strides", 2, 2)),
                new Case("auto_pad VALID k3 s2", x, new long[] {6, 4, 3, 3}, true, stringAttr("auto_pad", "VALID"),
                        intsAttr("strides", 2, 2)),
                new Case("1-D k5 s2 dilation 2 asymmetric pads", new long[] {2, 3, 17}, new long[] {4, 3, 5}, true,
                        intsAttr("strides", 2), intsAttr("dilations", 2), intsAttr("pads", 3, 1)),
                new Case("3-D k3 s2 pads 1", new long[] {1, 2, 5, 6, 4}, new long[] {3, 2, 3, 3, 3}, true,
                        intsAttr("strides", 2, 2, 2), intsAttr("pads", 1, 1, 1, 1, 1, 1)));
    }

    static Stream<Case> transposedConvolutions() {
        long[] x = {2, 4, 5, 6};
        return Stream.of(
                new Case("k3 s1 pads 1", x, new long[] {4, 3, 3, 3}, true, intsAttr("pads", 1, 1, 1, 1)),
                new Case("k3 s2 pads 1 output_padding 1", x, new long[] {4, 3, 3, 3}, true, intsAttr("strides", 2, 2),
                        intsAttr("pads", 1, 1, 1, 1), intsAttr("output_padding", 1, 1)),
                new Case("k4 s2 pads 1", x, new long[] {4, 2, 4, 4}, false, intsAttr("strides", 2, 2),
                        intsAttr("pads", 1, 1, 1, 1)),
                new Case("k3 s3 asymmetric pads", x, new long[] {4, 3, 3, 3}, true, intsAttr("strides", 3, 3),
                        intsAttr("pads", 0, 1, 2, 0)),
                new Case("k3 s2 dilation 2", x, new long[] {4, 3, 3, 3}, true, intsAttr("strides", 2, 2),
                        intsAttr("dilations", 2, 2), intsAttr("pads", 1, 2, 1, 0)),
                new Case("group 2", x, new long[] {4, 3, 3, 3}, true, intAttr("group", 2), intsAttr("strides", 2, 2)),
                new Case("depthwise", x, new long[] {4, 1, 3, 3}, false, intAttr("group", 4), intsAttr("strides", 2, 2),
                        intsAttr("pads", 1, 1, 1, 1)),
                new Case("output_shape with odd total padding", x, new long[] {4, 3, 3, 3}, true,
                        intsAttr("strides", 2, 2), intsAttr("output_shape", 10, 11)),
                new Case("auto_pad SAME_UPPER s2", x, new long[] {4, 3, 4, 3}, true,
                        stringAttr("auto_pad", "SAME_UPPER"), intsAttr("strides", 2, 2)),
                new Case("auto_pad SAME_LOWER s2", x, new long[] {4, 3, 4, 3}, true,
                        stringAttr("auto_pad", "SAME_LOWER"), intsAttr("strides", 2, 2)),
                new Case("1-D k4 s2 pads 1", new long[] {2, 4, 7}, new long[] {4, 2, 4}, true, intsAttr("strides", 2),
                        intsAttr("pads", 1, 1)));
    }

    @ParameterizedTest(name = "Conv {0}")
    @MethodSource("convolutions")
    void convMatchesOnnxRuntime(Case c) {
        KernelCheck.matchesOrt(c.model("Conv"), 13, "Conv " + c.name());
    }

    @ParameterizedTest(name = "ConvTranspose {0}")
    @MethodSource("transposedConvolutions")
    void convTransposeMatchesOnnxRuntime(Case c) {
        KernelCheck.matchesOrt(c.model("ConvTranspose"), 13, "ConvTranspose " + c.name());
    }
}
