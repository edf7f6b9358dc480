package io.shears.engine.interpreter;

import io.shears.engine.NodeModel;
import io.shears.onnx.TensorValues;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Arrays;
import java.util.List;

import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.NodeModel.stringAttr;

/** Operators that move, join, cut and pad data, in their attribute and input forms, against ONNX Runtime. */
class LayoutKernelTest {
    private static final long[] X = {2, 3, 4, 5};

    private static NodeModel single(String op, List<String> inputs, ai.onnx.proto.OnnxMl.AttributeProto... attributes) {
        return new NodeModel(op.hashCode() + inputs.size(), X).single(op, inputs, attributes);
    }

    @Test
    void flattenAtEveryAxis() {
        for (int axis : new int[] {0, 1, 2, 4, -1, -3}) {
            KernelCheck.matchesOrt(single("Flatten", List.of(NodeModel.INPUT), intAttr("axis", axis)), 13,
                    "Flatten axis " + axis);
        }
    }

    @Test
    void reshapeCopiesZerosAndInfersMinusOne() {
        for (long[] shape : new long[][] {{0, -1}, {2, 0, 20}, {-1, 5}, {6, 4, 5}, {0, 0, 0, 5, 1}}) {
            NodeModel m = new NodeModel(shape.length, X);
            m.single("Reshape", List.of(NodeModel.INPUT, m.longs("shape", shape)));
            KernelCheck.matchesOrt(m, 13, "Reshape " + Arrays.toString(shape));
        }
    }

    @Test
    void transposeWithAndWithoutPerm() {
        KernelCheck.matchesOrt(single("Transpose", List.of(NodeModel.INPUT), intsAttr("perm", 0, 2, 3, 1)), 13,
                "Transpose NHWC");
        KernelCheck.matchesOrt(single("Transpose", List.of(NodeModel.INPUT)), 13, "Transpose reversed");
    }

    @Test
    void squeezeAndUnsqueezeInBothForms() {
        NodeModel unsqueeze = new NodeModel(1, X);
        unsqueeze.node("Unsqueeze", List.of(NodeModel.INPUT, unsqueeze.longs("axes", 0, -1, 3)), List.of("u"));
        unsqueeze.single("Squeeze", List.of("u", unsqueeze.longs("squeezed", 0, -1)));
        KernelCheck.matchesOrt(unsqueeze, 13, "Unsqueeze then Squeeze (axes as inputs)");
        NodeModel attributes = new NodeModel(2, X);
        attributes.node("Unsqueeze", List.of(NodeModel.INPUT), List.of("u"), intsAttr("axes", 1, 4));
        attributes.single("Squeeze", List.of("u"));
        KernelCheck.matchesOrt(attributes, 11, "Unsqueeze then Squeeze of every 1 (axes as attributes)");
    }

    @Test
    void concatOnEveryAxis() {
        for (int axis : new int[] {0, 1, 3, -2}) {
            long[] other = X.clone();
            other[axis < 0 ? axis + 4 : axis] = 2;
            NodeModel m = new NodeModel(axis, X);
            m.single("Concat", List.of(m.randomFloats("a", other), NodeModel.INPUT, m.randomFloats("b", other)),
                    intAttr("axis", axis));
            KernelCheck.matchesOrt(m, 13, "Concat axis " + axis);
        }
    }

    @Test
    void splitBySizesEvenlyAndByNumOutputs() {
        NodeModel sizes = new NodeModel(1, X);
        sizes.node("Split", List.of(NodeModel.INPUT, sizes.longs("split", 1, 3, 1)), List.of("a", "b", "c"),
                intAttr("axis", 3)).output("a").output("b").output("c");
        KernelCheck.matchesOrt(sizes, 13, "Split by sizes");
        NodeModel even = new NodeModel(2, X);
        even.node("Split", List.of(NodeModel.INPUT), List.of("a", "b"), intAttr("axis", 2)).output("a").output("b");
        KernelCheck.matchesOrt(even, 13, "Split evenly");
        NodeModel attribute = new NodeModel(3, X);
        attribute.node("Split", List.of(NodeModel.INPUT), List.of("a", "b"), intAttr("axis", 1),
                intsAttr("split", 2, 1)).output("a").output("b");
        KernelCheck.matchesOrt(attribute, 11, "Split by the attribute");
        NodeModel uneven = new NodeModel(4, X);
        uneven.node("Split", List.of(NodeModel.INPUT), List.of("a", "b"), intAttr("axis", 3),
                intAttr("num_outputs", 2)).output("a").output("b");
        KernelCheck.matchesOrt(uneven, 18, "Split by num_outputs, the last part smaller");
    }

    @Test
    void sliceClampsStepsBackwardsAndTakesAxes() {
        long[][][] cases = {
            {{0, 1}, {2, 4}, {1, 2}, {1, 1}},
            {{-1}, {-100}, {3}, {-1}},
            {{3, 10}, {0, -100}, {2, 1}, {-2, -1}},
            {{1, -3}, {Long.MAX_VALUE, Long.MAX_VALUE}, {0, 3}, {1, 2}},
            {{0}, {0}, {2}, {1}},
        };
        for (long[][] c : cases) {
            NodeModel m = new NodeModel(c[0].length, X);
            m.single("Slice", List.of(NodeModel.INPUT, m.longs("starts", c[0]), m.longs("ends", c[1]),
                    m.longs("axes", c[2]), m.longs("steps", c[3])));
            KernelCheck.matchesOrt(m, 13, "Slice " + Arrays.deepToString(c));
        }
        NodeModel noAxes = new NodeModel(7, X);
        noAxes.single("Slice", List.of(NodeModel.INPUT, noAxes.longs("starts", 1, 0), noAxes.longs("ends", 2, 2)));
        KernelCheck.matchesOrt(noAxes, 13, "Slice without axes and steps");
        KernelCheck.matchesOrt(single("Slice", List.of(NodeModel.INPUT), intsAttr("starts", 1, -2),
                intsAttr("ends", 3, 100), intsAttr("axes", 2, 3)), 9, "Slice-9 attributes");
    }

    @ParameterizedTest(name = "Pad {0}")
    @ValueSource(strings = {"constant", "reflect", "edge", "wrap"})
    void padInEveryMode(String mode) {
        NodeModel m = new NodeModel(mode.hashCode(), X);
        List<String> inputs = List.of(NodeModel.INPUT, m.longs("pads", 0, 1, 2, 3, 0, 0, 1, 2),
                mode.equals("constant") ? m.scalar("value", -1.5f) : "");
        m.single("Pad", inputs, stringAttr("mode", mode));
        KernelCheck.matchesOrt(m, mode.equals("wrap") ? 19 : 13, "Pad " + mode);
        NodeModel cropping = new NodeModel(mode.hashCode() + 1, X);
        cropping.single("Pad", List.of(NodeModel.INPUT, cropping.longs("pads", 0, 0, -1, 2, 0, 1, 1, -2)),
                stringAttr("mode", mode));
        KernelCheck.matchesOrt(cropping, mode.equals("wrap") ? 19 : 13, "Pad " + mode + " with negative pads");
    }

    @Test
    void padWithAxesAndInTheAttributeForm() {
        NodeModel axes = new NodeModel(1, X);
        axes.single("Pad", List.of(NodeModel.INPUT, axes.longs("pads", 1, 2, 3, 0), "", axes.longs("axes", 1, -1)));
        KernelCheck.matchesOrt(axes, 18, "Pad with axes");
        KernelCheck.matchesOrt(single("Pad", List.of(NodeModel.INPUT), intsAttr("pads", 0, 0, 1, 1, 0, 0, 1, 1),
                NodeModel.floatAttr("value", 2f)), 10, "Pad-2 attributes");
    }

    @Test
    void expandBroadcastsBothWays() {
        NodeModel m = new NodeModel(1, X);
        m.single("Expand", List.of(NodeModel.INPUT, m.longs("shape", 3, 1, 1, 1, 5)));
        KernelCheck.matchesOrt(m, 13, "Expand to a higher rank");
        NodeModel small = new NodeModel(2, X);
        small.single("Expand", List.of(small.randomFloats("v", 3, 1), small.longs("shape", 2, 1, 4)));
        KernelCheck.matchesOrt(small, 13, "Expand of a stored vector");
    }

    @Test
    void tileOnEveryAxis() {
        for (long[] repeats : new long[][] {{1, 1, 1, 1}, {2, 1, 1, 1}, {1, 3, 1, 2}, {2, 2, 2, 2}}) {
            NodeModel m = new NodeModel(repeats.length, X);
            m.single("Tile", List.of(NodeModel.INPUT, m.longs("repeats", repeats)));
            KernelCheck.matchesOrt(m, 13, "Tile " + Arrays.toString(repeats));
        }
    }

    /** Whole rows (one index per update), single elements (an index per axis), negative indices, a repeated row. */
    @Test
    void scatterNdReplacesTheAddressedSlices() {
        long[] x = {4, 3, 5};
        long[][][] cases = {
                {{1}, {3}},
                {{0, 1}, {2, 2}, {-1, 0}},
                {{1, 2, 4}, {3, 0, 0}, {-4, -1, -5}},
        };
        for (long[][] rows : cases) {
            int depth = rows[0].length;
            String what = "ScatterND " + Arrays.deepToString(rows);
            NodeModel m = new NodeModel(what.hashCode(), x);
            m.initializer(TensorValues.longTensor("indices", new long[] {rows.length, depth},
                    Arrays.stream(rows).flatMapToLong(Arrays::stream).toArray()));
            long[] updateDims = new long[1 + x.length - depth];
            updateDims[0] = rows.length;
            System.arraycopy(x, depth, updateDims, 1, x.length - depth);
            m.single("ScatterND", List.of(NodeModel.INPUT, "indices", m.randomFloats("updates", updateDims)));
            KernelCheck.matchesOrt(m, 16, what);
        }
    }
}
