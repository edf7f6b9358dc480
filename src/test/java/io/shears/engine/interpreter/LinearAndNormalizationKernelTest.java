package io.shears.engine.interpreter;

import io.shears.engine.NodeModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.shears.engine.NodeModel.floatAttr;
import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;

/** Gemm, MatMul, BatchNormalization and InstanceNormalization in inference, and the Reduce family. */
class LinearAndNormalizationKernelTest {
    @Test
    void gemmInEveryForm() {
        record Form(String name, boolean transA, boolean transB, float alpha, float beta, long[] c) {
        }
        List<Form> forms = List.of(
                new Form("Linear: B transposed, 1-D bias", false, true, 1, 1, new long[] {5}),
                new Form("B as stored, 1-D bias", false, false, 1, 1, new long[] {5}),
                new Form("A transposed", true, true, 1, 1, new long[] {5}),
                new Form("alpha and beta, full C", false, true, 0.5f, 2f, new long[] {4, 5}),
                new Form("row C", false, false, 1, 1, new long[] {1, 5}),
                new Form("scalar C", true, false, 1.5f, 0.5f, new long[] {}),
                new Form("no C", false, true, 1, 1, null));
        for (Form f : forms) {
            NodeModel m = new NodeModel(f.name().hashCode(), f.transA() ? new long[] {6, 4} : new long[] {4, 6});
            List<String> inputs = new ArrayList<>(List.of(NodeModel.INPUT,
                    m.randomFloats("b", f.transB() ? new long[] {5, 6} : new long[] {6, 5})));
            if (f.c() != null) {
                inputs.add(m.randomFloats("c", f.c()));
            }
            m.single("Gemm", inputs, intAttr("transA", f.transA() ? 1 : 0), intAttr("transB", f.transB() ? 1 : 0),
                    floatAttr("alpha", f.alpha()), floatAttr("beta", f.beta()));
            KernelCheck.matchesOrt(m, 13, "Gemm " + f.name());
        }
    }

    @Test
    void matMulWithVectorsAndBatchBroadcasting() {
        long[][][] cases = {{{2, 3, 4, 5}, {5, 6}}, {{5}, {5, 3}}, {{2, 1, 4, 5}, {3, 5, 2}}, {{3, 5}, {5}}};
        for (long[][] c : cases) {
            NodeModel m = new NodeModel(c[0].length, c[0]);
            m.single("MatMul", List.of(NodeModel.INPUT, m.randomFloats("b", c[1])));
            KernelCheck.matchesOrt(m, 13, "MatMul " + Arrays.deepToString(c));
        }
        NodeModel left = new NodeModel(9, 5, 3);
        left.single("MatMul", List.of(left.randomFloats("a", 2, 4, 5), NodeModel.INPUT));
        KernelCheck.matchesOrt(left, 13, "MatMul with the stored operand on the left");
    }

    private record EinsumCase(String equation, long[] x, long[] other) {
    }

    /** Attention's equations, an ellipsis that broadcasts, the implicit form, labels summed within one operand. */
    @Test
    void einsumWithOneOrTwoOperands() {
        EinsumCase[] cases = {
                new EinsumCase("bhqd,bhkd->bhqk", new long[] {2, 4, 3, 5}, null),
                new EinsumCase("bhqk,bhkd->bhqd", new long[] {2, 4, 3, 5}, new long[] {2, 4, 5, 6}),
                new EinsumCase("...qd,...kd->...qk", new long[] {2, 4, 3, 5}, new long[] {1, 4, 6, 5}),
                new EinsumCase("ij,jk", new long[] {3, 5}, new long[] {5, 4}),
                new EinsumCase("bij,bk->bik", new long[] {2, 3, 4}, new long[] {2, 5}),
                new EinsumCase("iJ,iJ->i", new long[] {3, 4}, new long[] {3, 4}),
                new EinsumCase("bij->bji", new long[] {2, 3, 4}, null),
                new EinsumCase("bij->b", new long[] {2, 3, 4}, null),
                new EinsumCase("b...j", new long[] {2, 3, 4, 5}, null),
        };
        for (EinsumCase c : cases) {
            String what = "Einsum " + c.equation();
            NodeModel m = new NodeModel(what.hashCode(), c.x());
            boolean selfProduct = c.other() == null && c.equation().contains(",");
            List<String> inputs = c.other() != null ? List.of(NodeModel.INPUT, m.randomFloats("other", c.other()))
                    : selfProduct ? List.of(NodeModel.INPUT, NodeModel.INPUT) : List.of(NodeModel.INPUT);
            m.single("Einsum", inputs, NodeModel.stringAttr("equation", c.equation()));
            KernelCheck.matchesOrt(m, 12, what);
        }
    }

    /** Attention: both operands computed, heads broadcast against a shared operand of lower rank. */
    @Test
    void matMulBetweenTwoActivations() {
        NodeModel m = new NodeModel(21, 2, 4, 3, 5);
        m.node("Transpose", List.of(NodeModel.INPUT), List.of("keys"), intsAttr("perm", 0, 1, 3, 2));
        m.node("MatMul", List.of(NodeModel.INPUT, "keys"), List.of("scores"));
        m.node("Softmax", List.of("scores"), List.of("weights"), intAttr("axis", -1));
        m.node("ReduceMean", List.of(NodeModel.INPUT), List.of("shared"), intsAttr("axes", 0), intAttr("keepdims", 0));
        m.node("MatMul", List.of("weights", "shared"), List.of("mixed")).output("scores").output("mixed");
        KernelCheck.matchesOrt(m, 13, "MatMul between activations");
    }

    @ParameterizedTest(name = "BatchNormalization opset {0}")
    @ValueSource(ints = {9, 15})
    void batchNormalizationInInference(int opset) {
        for (long[] shape : new long[][] {{2, 3, 4, 5}, {4, 3}, {2, 3, 7}}) {
            NodeModel m = new NodeModel(opset, shape);
            float[] variance = KernelCheck.uniform(3, new long[] {3}, 0.2, 2);
            m.single("BatchNormalization", List.of(NodeModel.INPUT, m.randomFloats("scale", 3),
                    m.randomFloats("bias", 3), m.randomFloats("mean", 3), m.floats("var", new long[] {3}, variance)),
                    floatAttr("epsilon", 1e-3f), floatAttr("momentum", 0.8f));
            KernelCheck.matchesOrt(m, opset, "BatchNormalization " + Arrays.toString(shape));
        }
    }

    /** Every axis of a rank-3 input (negative and positive), with and without bias, with the statistics outputs. */
    @Test
    void layerNormalizationOnAnyAxis() {
        long[] x = {2, 5, 8};
        for (long axis : new long[] {-1, -2, 0, 1, 2}) {
            int normalized = (int) (axis < 0 ? axis + x.length : axis);
            long[] paramDims = Arrays.copyOfRange(x, normalized, x.length);
            for (boolean bias : new boolean[] {true, false}) {
                String what = "LayerNormalization axis " + axis + (bias ? " with bias" : " without bias");
                NodeModel m = new NodeModel(what.hashCode(), x);
                List<String> inputs = new ArrayList<>(List.of(NodeModel.INPUT, m.randomFloats("scale", paramDims)));
                if (bias) {
                    inputs.add(m.randomFloats("bias", paramDims));
                }
                m.node("LayerNormalization", inputs, List.of("y", "mean", "inv_std_dev"), intAttr("axis", axis),
                        floatAttr("epsilon", 1e-6f)).output("y").output("mean").output("inv_std_dev");
                KernelCheck.matchesOrt(m, 17, what);
            }
        }
    }

    /** Scale and bias of the last axis only, broadcast over the other normalized axes. */
    @Test
    void layerNormalizationBroadcastsItsScale() {
        NodeModel m = new NodeModel(4, 3, 4, 6);
        m.single("LayerNormalization", List.of(NodeModel.INPUT, m.randomFloats("scale", 6), m.randomFloats("bias", 6)),
                intAttr("axis", 1));
        KernelCheck.matchesOrt(m, 17, "LayerNormalization with a broadcast scale");
    }

    @Test
    void instanceNormalization() {
        NodeModel m = new NodeModel(1, 2, 3, 4, 5);
        m.single("InstanceNormalization", List.of(NodeModel.INPUT, m.randomFloats("scale", 3),
                m.randomFloats("bias", 3)), floatAttr("epsilon", 1e-4f));
        KernelCheck.matchesOrt(m, 13, "InstanceNormalization");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"ReduceMean", "ReduceMax", "ReduceMin", "ReduceSum", "ReduceProd", "ReduceL1", "ReduceL2",
        "ReduceSumSquare", "ReduceLogSumExp"})
    void reductionsOverSeveralAxes(String op) {
        long[] x = {2, 3, 4, 5};
        long[][] axesCases = {{1}, {2, 3}, {-1, 0}, {0, 1, 2, 3}};
        for (long[] axes : axesCases) {
            for (int keep : new int[] {0, 1}) {
                String what = op + " axes " + Arrays.toString(axes) + " keepdims " + keep;
                NodeModel asInput = new NodeModel(what.hashCode(), x);
                asInput.single(op, List.of(NodeModel.INPUT, asInput.longs("axes", axes)), intAttr("keepdims", keep));
                KernelCheck.matchesOrt(asInput, 18, KernelCheck.uniform(1, x, 0.5, 1.5), what + " (input)");
                if (!op.equals("ReduceSum")) {
                    NodeModel asAttribute = new NodeModel(what.hashCode(), x).single(op, List.of(NodeModel.INPUT),
                            intsAttr("axes", axes), intAttr("keepdims", keep));
                    KernelCheck.matchesOrt(asAttribute, 13, KernelCheck.uniform(1, x, 0.5, 1.5), what + " (attribute)");
                }
            }
        }
        KernelCheck.matchesOrt(new NodeModel(op.hashCode(), x).single(op, List.of(NodeModel.INPUT)), 18,
                KernelCheck.uniform(1, x, 0.5, 1.5), op + " over all axes");
        KernelCheck.matchesOrt(new NodeModel(op.hashCode(), x).single(op, List.of(NodeModel.INPUT),
                intAttr("noop_with_empty_axes", 1)), 18, op + " noop_with_empty_axes");
    }
}
