package io.shears.graph;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;
import io.shears.onnx.Protos;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static io.shears.onnx.Protos.DYNAMIC;
import static io.shears.onnx.Protos.attr;
import static io.shears.onnx.Protos.floats;
import static io.shears.onnx.Protos.ints;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

/**
 * Shape inference per operator: each case states the hand-computed shape and also runs the model in ONNX Runtime,
 * which must produce the same shape for every float tensor.
 */
class ShapeInferenceOpsTest {
    private static final long INT64_MAX = Long.MAX_VALUE;
    private static final long INT64_MIN = Long.MIN_VALUE;

    @Nested
    class Convolutions {
        @Test
        void convWithAsymmetricPadsStridesAndDilations() {
            Net n = new Net(13, DYNAMIC, 3, 11, 13);
            String y = n.node("Conv", List.of("x", n.weight(4, 3, 3, 3), n.weight(4)),
                    ints("pads", 1, 0, 2, 1), ints("strides", 2, 3), ints("dilations", 1, 2));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 11, 13);

            // H: (11 + 1 + 2 - 3) / 2 + 1 = 6; W: extent (3-1)*2+1 = 5, (13 + 0 + 1 - 5) / 3 + 1 = 4
            assertThat(s.dims(y)).containsExactly(2, 4, 6, 4);
            assertThat(s.type(y).elemType()).isEqualTo(Protos.FLOAT);
        }

        @Test
        void groupedAndDepthwiseConv() {
            Net n = new Net(13, DYNAMIC, 4, 8, 8);
            String grouped = n.node("Conv", List.of("x", n.weight(6, 2, 3, 3)), attr("group", 2L),
                    ints("pads", 1, 1, 1, 1), ints("kernel_shape", 3, 3));
            String depthwise = n.node("Conv", List.of(grouped, n.weight(6, 1, 3, 3)), attr("group", 6L),
                    ints("pads", 1, 1, 1, 1), ints("strides", 2, 2));
            String multiplier = n.node("Conv", List.of(depthwise, n.weight(12, 1, 3, 3)), attr("group", 6L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(multiplier), 1, 4, 8, 8);

            assertThat(s.dims(grouped)).containsExactly(1, 6, 8, 8);
            assertThat(s.dims(depthwise)).containsExactly(1, 6, 4, 4);
            assertThat(s.dims(multiplier)).containsExactly(1, 12, 2, 2);
        }

        @Test
        void convAutoPadSameUpperSameLowerAndValid() {
            Net n = new Net(13, DYNAMIC, 3, 11, 11);
            String same = n.node("Conv", List.of("x", n.weight(4, 3, 3, 3)), attr("auto_pad", "SAME_UPPER"),
                    ints("strides", 2, 2));
            String lower = n.node("Conv", List.of("x", n.weight(4, 3, 2, 2)), attr("auto_pad", "SAME_LOWER"));
            String valid = n.node("Conv", List.of("x", n.weight(4, 3, 3, 3)), attr("auto_pad", "VALID"),
                    ints("strides", 2, 2));
            String dilatedValid = n.node("Conv", List.of("x", n.weight(4, 3, 3, 3)), attr("auto_pad", "VALID"),
                    ints("strides", 2, 2), ints("dilations", 2, 2));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(same, lower, valid, dilatedValid), 3, 3, 11, 11);

            assertThat(s.dims(same)).containsExactly(3, 4, 6, 6);
            assertThat(s.dims(lower)).containsExactly(3, 4, 11, 11);
            assertThat(s.dims(valid)).containsExactly(3, 4, 5, 5);
            assertThat(s.dims(dilatedValid)).containsExactly(3, 4, 4, 4);
        }

        @Test
        void oneDimensionalConv() {
            Net n = new Net(13, DYNAMIC, 3, 20);
            String y = n.node("Conv", List.of("x", n.weight(2, 3, 5)), ints("strides", 2));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 20);

            assertThat(s.dims(y)).containsExactly(2, 2, 8);
        }

        @Test
        void convTransposeWithStridesPadsOutputPaddingGroupsAndDilations() {
            Net n = new Net(13, DYNAMIC, 4, 5, 5);
            String up = n.node("ConvTranspose", List.of("x", n.weight(4, 3, 3, 3), n.weight(3)),
                    ints("strides", 2, 2), ints("pads", 1, 1, 1, 1), ints("output_padding", 1, 1));
            String grouped = n.node("ConvTranspose", List.of("x", n.weight(4, 2, 3, 3)), attr("group", 2L));
            String dilated = n.node("ConvTranspose", List.of("x", n.weight(4, 3, 3, 3)), ints("dilations", 2, 2));
            String same = n.node("ConvTranspose", List.of("x", n.weight(4, 3, 3, 3)), attr("auto_pad", "SAME_UPPER"),
                    ints("strides", 2, 2));
            String explicit = n.node("ConvTranspose", List.of("x", n.weight(4, 3, 3, 3)), ints("strides", 2, 2),
                    ints("output_shape", 10, 10));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(up, grouped, dilated, same, explicit), 2, 4, 5, 5);

            assertThat(s.dims(up)).containsExactly(2, 3, 10, 10);
            assertThat(s.dims(grouped)).containsExactly(2, 4, 7, 7);
            assertThat(s.dims(dilated)).containsExactly(2, 3, 9, 9);
            assertThat(s.dims(same)).containsExactly(2, 3, 10, 10);
            assertThat(s.dims(explicit)).containsExactly(2, 3, 10, 10);
        }

        @Test
        void batchNormalizationKeepsTheShape() {
            Net n = new Net(13, DYNAMIC, 3, 5, 7);
            String y = n.node("BatchNormalization", List.of("x", n.floats(new long[] {3}, 1, 1, 1),
                    n.floats(new long[] {3}, 0, 0, 0), n.floats(new long[] {3}, 0, 0, 0),
                    n.floats(new long[] {3}, 1, 1, 1)), attr("epsilon", 1e-5f));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 5, 7);

            assertThat(s.dims(y)).containsExactly(2, 3, 5, 7);
        }

        @Test
        void refusesAConvWhoseWeightDoesNotFitTheInputByNode() {
            Net n = new Net(13, 1, 3, 8, 8);
            n.node("Conv", List.of("x", n.weight(4, 5, 3, 3)));

            assertFailure(n.build("conv1"), ModelProblem.SHAPE_INFERENCE_FAILED, "conv1", "3 channels");
        }

        @Test
        void refusesBatchNormParametersOfTheWrongLength() {
            Net n = new Net(13, 1, 3, 8, 8);
            n.node("BatchNormalization", List.of("x", n.weight(3), n.weight(3), n.weight(4), n.weight(3)));

            assertFailure(n.build("batchnormalization1"), ModelProblem.SHAPE_INFERENCE_FAILED,
                    "batchnormalization1", "parameter 3");
        }
    }

    @Nested
    class Elementwise {
        @Test
        void activationsKeepTheShape() {
            Net n = new Net(14, DYNAMIC, 3, 5, 7);
            String y = n.node("Relu", List.of("x"));
            y = n.node("LeakyRelu", List.of(y), attr("alpha", 0.1f));
            y = n.node("PRelu", List.of(y, n.weight(3, 1, 1)));
            y = n.node("Clip", List.of(y, n.floats(new long[0], -1f), n.floats(new long[0], 1f)));
            y = n.node("Sigmoid", List.of(y));
            y = n.node("HardSigmoid", List.of(y), attr("alpha", 0.2f));
            y = n.node("HardSwish", List.of(y));
            y = n.node("Tanh", List.of(y));
            y = n.node("Erf", List.of(y));
            y = n.node("Softmax", List.of(y), attr("axis", 1L));
            y = n.node("Identity", List.of(y));
            String[] dropout = n.multi("Dropout", List.of(y), 2);

            Shapes s = OrtShapes.assertMatchesOrt(n.build(dropout[0]), 4, 3, 5, 7);

            assertThat(s.dims(dropout[0])).containsExactly(4, 3, 5, 7);
            assertThat(s.dims(dropout[1])).containsExactly(4, 3, 5, 7);
            assertThat(s.type(dropout[1]).elemType()).isEqualTo(TensorProto.DataType.BOOL_VALUE);
        }

        @Test
        void arithmeticBroadcastsLikeNumpy() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String add = n.node("Add", List.of("x", n.weight(5)));
            String sub = n.node("Sub", List.of(add, n.weight(3, 1, 1)));
            String mul = n.node("Mul", List.of(n.weight(1, 3, 4, 1), sub));
            String div = n.node("Div", List.of(mul, n.floats(new long[] {1, 1, 1, 1}, 2f)));
            String wider = n.node("Add", List.of(div, n.weight(6, 1, 1, 1, 1)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(wider), 2, 3, 4, 5);

            assertThat(s.dims(div)).containsExactly(2, 3, 4, 5);
            assertThat(s.dims(wider)).containsExactly(6, 2, 3, 4, 5);
        }

        @Test
        void broadcastingGrowsOnesOnBothSides() {
            Net n = new Net(13, DYNAMIC, 1, 4, 1);
            String y = n.node("Mul", List.of("x", n.weight(3, 1, 5)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 1, 4, 1);

            assertThat(s.dims(y)).containsExactly(2, 3, 4, 5);
        }

        @Test
        void refusesShapesThatDoNotBroadcast() {
            Net n = new Net(13, 1, 3, 4, 5);
            n.node("Add", List.of("x", n.weight(4)));

            assertFailure(n.build("add1"), ModelProblem.SHAPE_INFERENCE_FAILED, "add1", "do not broadcast");
        }
    }

    @Nested
    class Pooling {
        @Test
        void maxPoolWithPadsStridesDilationsAndAutoPad() {
            Net n = new Net(13, DYNAMIC, 3, 11, 11);
            String padded = n.node("MaxPool", List.of("x"), ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                    ints("pads", 1, 1, 1, 1));
            String dilated = n.node("MaxPool", List.of("x"), ints("kernel_shape", 3, 3), ints("dilations", 2, 2));
            String same = n.node("MaxPool", List.of("x"), ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                    attr("auto_pad", "SAME_UPPER"));
            String valid = n.node("MaxPool", List.of("x"), ints("kernel_shape", 3, 3), ints("strides", 2, 2),
                    attr("auto_pad", "VALID"));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(padded, dilated, same, valid), 2, 3, 11, 11);

            assertThat(s.dims(padded)).containsExactly(2, 3, 6, 6);
            assertThat(s.dims(dilated)).containsExactly(2, 3, 7, 7);
            assertThat(s.dims(same)).containsExactly(2, 3, 6, 6);
            assertThat(s.dims(valid)).containsExactly(2, 3, 5, 5);
        }

        @Test
        void ceilModeRoundsUpButNeverStartsAWindowInThePadding() {
            Net n = new Net(13, DYNAMIC, 3, 12, 5);
            String floor = n.node("MaxPool", List.of("x"), ints("kernel_shape", 3, 2), ints("strides", 2, 2));
            String ceil = n.node("MaxPool", List.of("x"), ints("kernel_shape", 3, 2), ints("strides", 2, 2),
                    attr("ceil_mode", 1L));
            String clipped = n.node("MaxPool", List.of("x"), ints("kernel_shape", 2, 2), ints("strides", 2, 2),
                    ints("pads", 1, 1, 1, 1), attr("ceil_mode", 1L));
            String average = n.node("AveragePool", List.of("x"), ints("kernel_shape", 3, 2), ints("strides", 2, 2),
                    ints("pads", 1, 0, 1, 0), attr("ceil_mode", 1L), attr("count_include_pad", 1L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(floor, ceil, clipped, average), 1, 3, 12, 5);

            // H 12, k3 s2: floor (12-3)/2+1 = 5, ceil 6; W 5, k2 s2: floor 2, ceil 3
            assertThat(s.dims(floor)).containsExactly(1, 3, 5, 2);
            assertThat(s.dims(ceil)).containsExactly(1, 3, 6, 3);
            // H: ceil((12+2-2)/2)+1 = 7, the last window starts at 12 < 12 + 1, so it is kept
            // W: ceil((5+2-2)/2)+1 = 4, but the last window would start at 6 >= 5 + 1 (in the padding), so 3
            assertThat(s.dims(clipped)).containsExactly(1, 3, 7, 3);
            assertThat(s.dims(average)).containsExactly(1, 3, 7, 3);
        }

        @Test
        void globalPoolsAndReduceMean() {
            Net n = new Net(13, DYNAMIC, 3, 6, 4);
            String gap = n.node("GlobalAveragePool", List.of("x"));
            String gmp = n.node("GlobalMaxPool", List.of("x"));
            String keep = n.node("ReduceMean", List.of("x"), ints("axes", 2, 3), attr("keepdims", 1L));
            String drop = n.node("ReduceMean", List.of("x"), ints("axes", 2, 3), attr("keepdims", 0L));
            String last = n.node("ReduceMean", List.of("x"), ints("axes", -1));
            String all = n.node("ReduceMean", List.of("x"), attr("keepdims", 0L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(gap, gmp, keep, drop, last, all), 2, 3, 6, 4);

            assertThat(s.dims(gap)).containsExactly(2, 3, 1, 1);
            assertThat(s.dims(gmp)).containsExactly(2, 3, 1, 1);
            assertThat(s.dims(keep)).containsExactly(2, 3, 1, 1);
            assertThat(s.dims(drop)).containsExactly(2, 3);
            assertThat(s.dims(last)).containsExactly(2, 3, 6, 1);
            assertThat(s.dims(all)).isEmpty();
        }

        @Test
        void reduceMeanWithAxesAsAnInputAtOpset18() {
            Net n = new Net(18, DYNAMIC, 3, 6, 4);
            String y = n.node("ReduceMean", List.of("x", n.ints(1, -1)), attr("keepdims", 0L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 6, 4);

            assertThat(s.dims(y)).containsExactly(2, 6);
        }
    }

    @Nested
    class Layout {
        @ParameterizedTest
        @ValueSource(longs = {0, 1, 2, -1, 4})
        void flattenAtEveryAxis(long axis) {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String y = n.node("Flatten", List.of("x"), attr("axis", axis));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 4, 5);

            long[][] expected = {{1, 120}, {2, 60}, {6, 20}, {24, 5}, {120, 1}};
            int index = axis == -1 ? 3 : axis == 4 ? 4 : (int) axis;
            assertThat(s.dims(y)).containsExactly(expected[index]);
        }

        @Test
        void reshapeWithZerosAndMinusOne() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String a = n.node("Reshape", List.of("x", n.ints(0, -1)));
            String b = n.node("Reshape", List.of("x", n.ints(0, 0, -1)));
            String c = n.node("Reshape", List.of("x", n.ints(-1, 10)));
            String d = n.node("Reshape", List.of("x", n.constInts(2, 0, 2, -1)));
            String e = n.node("Reshape", List.of("x", n.ints(4, 30)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(a, b, c, d, e), 2, 3, 4, 5);

            assertThat(s.dims(a)).containsExactly(2, 60);
            assertThat(s.dims(b)).containsExactly(2, 3, 20);
            assertThat(s.dims(c)).containsExactly(12, 10);
            assertThat(s.dims(d)).containsExactly(2, 3, 2, 10);
            assertThat(s.dims(e)).containsExactly(4, 30);
        }

        @Test
        void refusesAReshapeThatDoesNotFit() {
            Net n = new Net(13, 1, 3, 4, 5);
            n.node("Reshape", List.of("x", n.ints(7, -1)));

            assertFailure(n.build("reshape1"), ModelProblem.SHAPE_INFERENCE_FAILED, "reshape1", "cannot reshape");
        }

        @Test
        void transposeWithAndWithoutPerm() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String nhwc = n.node("Transpose", List.of("x"), ints("perm", 0, 2, 3, 1));
            String reversed = n.node("Transpose", List.of("x"));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(nhwc, reversed), 2, 3, 4, 5);

            assertThat(s.dims(nhwc)).containsExactly(2, 4, 5, 3);
            assertThat(s.dims(reversed)).containsExactly(5, 4, 3, 2);
        }

        @Test
        void squeezeAndUnsqueezeWithAxesAsInputs() {
            Net n = new Net(13, DYNAMIC, 1, 4, 1);
            String squeezed = n.node("Squeeze", List.of("x", n.ints(1, 3)));
            String all = n.node("Squeeze", List.of("x"));
            String unsqueezed = n.node("Unsqueeze", List.of(squeezed, n.ints(0, 3)));
            String negative = n.node("Unsqueeze", List.of(squeezed, n.ints(-1)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(squeezed, all, unsqueezed, negative), 2, 1, 4, 1);

            assertThat(s.dims(squeezed)).containsExactly(2, 4);
            assertThat(s.dims(all)).containsExactly(2, 4);
            assertThat(s.dims(unsqueezed)).containsExactly(1, 2, 4, 1);
            assertThat(s.dims(negative)).containsExactly(2, 4, 1);
        }

        @Test
        void squeezeAndUnsqueezeWithAxesAsAttributesBeforeOpset13() {
            Net n = new Net(11, DYNAMIC, 1, 4, 1);
            String squeezed = n.node("Squeeze", List.of("x"), ints("axes", -1));
            String unsqueezed = n.node("Unsqueeze", List.of(squeezed), ints("axes", 1, 4));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(unsqueezed), 2, 1, 4, 1);

            assertThat(s.dims(squeezed)).containsExactly(2, 1, 4);
            assertThat(s.dims(unsqueezed)).containsExactly(2, 1, 1, 4, 1);
        }

        @Test
        void refusesSqueezingAnAxisThatIsNotOne() {
            Net n = new Net(13, 1, 3, 4, 5);
            n.node("Squeeze", List.of("x", n.ints(1)));

            assertFailure(n.build("squeeze1"), ModelProblem.SHAPE_INFERENCE_FAILED, "squeeze1", "axis 1 of size 3");
        }

        @Test
        void gemmWithTransposesAndBias() {
            Net n = new Net(13, DYNAMIC, 7);
            String transB = n.node("Gemm", List.of("x", n.weight(5, 7), n.weight(5)), attr("transB", 1L),
                    attr("alpha", 0.5f), attr("beta", 2f));
            String plain = n.node("Gemm", List.of(transB, n.weight(5, 6), n.weight(1, 6)));
            String transA = n.node("Gemm", List.of(n.weight(6, 4), plain), attr("transA", 1L), attr("transB", 1L));
            String noBias = n.node("Gemm", List.of(plain, n.weight(6, 2)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(transB, plain, transA, noBias), 3, 7);

            assertThat(s.dims(transB)).containsExactly(3, 5);
            assertThat(s.dims(plain)).containsExactly(3, 6);
            assertThat(s.dims(transA)).containsExactly(4, 3);
            assertThat(s.dims(noBias)).containsExactly(3, 2);
        }

        @Test
        void refusesAGemmWhoseInnerDimensionsDiffer() {
            Net n = new Net(13, 2, 7);
            n.node("Gemm", List.of("x", n.weight(6, 5)), attr("transB", 1L));

            assertFailure(n.build("gemm1"), ModelProblem.SHAPE_INFERENCE_FAILED, "gemm1", "7 features");
        }

        @Test
        void matMulOfBatchesVectorsAndBroadcastBatches() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String batched = n.node("MatMul", List.of("x", n.weight(5, 6)));
            String broadcast = n.node("MatMul", List.of("x", n.weight(3, 5, 2)));
            String vector = n.node("MatMul", List.of("x", n.weight(5)));
            String leftVector = n.node("MatMul", List.of(n.weight(4), "x"));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(batched, broadcast, vector, leftVector), 2, 3, 4, 5);

            assertThat(s.dims(batched)).containsExactly(2, 3, 4, 6);
            assertThat(s.dims(broadcast)).containsExactly(2, 3, 4, 2);
            assertThat(s.dims(vector)).containsExactly(2, 3, 4);
            assertThat(s.dims(leftVector)).containsExactly(2, 3, 5);
        }

        @Test
        void concatOnPositiveAndNegativeAxes() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String channels = n.node("Concat", List.of("x", n.weight(2, 2, 4, 5), "x"), attr("axis", 1L));
            String last = n.node("Concat", List.of(channels, n.weight(2, 8, 4, 1)), attr("axis", -1L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(channels, last), 2, 3, 4, 5);

            assertThat(s.dims(channels)).containsExactly(2, 8, 4, 5);
            assertThat(s.dims(last)).containsExactly(2, 8, 4, 6);
        }

        @Test
        void splitBySizesInputAttributeEvenlyAndByNumOutputs() {
            Net n13 = new Net(13, DYNAMIC, 3, 4);
            String[] bySizes = n13.multi("Split", List.of("x", n13.ints(1, 2)), 2, attr("axis", 1L));
            String[] even = n13.multi("Split", List.of("x"), 2, attr("axis", -1L));
            Shapes s13 = OrtShapes.assertMatchesOrt(n13.build(bySizes[0], bySizes[1], even[0], even[1]), 2, 3, 4);
            assertThat(s13.dims(bySizes[0])).containsExactly(2, 1, 4);
            assertThat(s13.dims(bySizes[1])).containsExactly(2, 2, 4);
            assertThat(s13.dims(even[1])).containsExactly(2, 3, 2);

            Net n11 = new Net(11, DYNAMIC, 3, 4);
            String[] byAttr = n11.multi("Split", List.of("x"), 2, attr("axis", 2L), ints("split", 3, 1));
            Shapes s11 = OrtShapes.assertMatchesOrt(n11.build(byAttr[0], byAttr[1]), 2, 3, 4);
            assertThat(s11.dims(byAttr[0])).containsExactly(2, 3, 3);
            assertThat(s11.dims(byAttr[1])).containsExactly(2, 3, 1);

            Net n18 = new Net(18, DYNAMIC, 5);
            String[] parts = n18.multi("Split", List.of("x"), 3, attr("axis", 1L), attr("num_outputs", 3L));
            Shapes s18 = OrtShapes.assertMatchesOrt(n18.build(parts), 2, 5);
            assertThat(s18.dims(parts[0])).containsExactly(2, 2);
            assertThat(s18.dims(parts[1])).containsExactly(2, 2);
            assertThat(s18.dims(parts[2])).containsExactly(2, 1);
        }

        @Test
        void sliceWithNegativeIndicesStepsAndOpenEnds() {
            Net n = new Net(13, DYNAMIC, 3, 10, 8);
            String inner = n.node("Slice", List.of("x", n.ints(1), n.ints(-1), n.ints(2)));
            String strided = n.node("Slice", List.of("x", n.ints(0), n.ints(INT64_MAX), n.ints(3), n.ints(3)));
            String reversed = n.node("Slice", List.of("x", n.ints(-1), n.ints(INT64_MIN), n.ints(2), n.ints(-1)));
            String backwards = n.node("Slice", List.of("x", n.ints(7, 6), n.ints(1, 0), n.ints(2, -1),
                    n.ints(-2, -3)));
            String defaultAxes = n.node("Slice", List.of("x", n.ints(0, 1), n.ints(1, 3)));
            String empty = n.node("Slice", List.of("x", n.ints(5), n.ints(2), n.ints(2)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(inner, strided, reversed, backwards, defaultAxes, empty),
                    2, 3, 10, 8);

            assertThat(s.dims(inner)).containsExactly(2, 3, 8, 8);
            assertThat(s.dims(strided)).containsExactly(2, 3, 10, 3);
            assertThat(s.dims(reversed)).containsExactly(2, 3, 10, 8);
            assertThat(s.dims(backwards)).containsExactly(2, 3, 3, 2);
            assertThat(s.dims(defaultAxes)).containsExactly(1, 2, 10, 8);
            assertThat(s.dims(empty)).containsExactly(2, 3, 0, 8);
        }

        @Test
        void sliceBackwardsFromBeforeTheStartClampsToTheFirstElement() {
            Net n = new Net(13, DYNAMIC, 3, 10, 8);
            String y = n.node("Slice", List.of("x", n.ints(-20), n.ints(-30), n.ints(2), n.ints(-1)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 10, 8);

            assertThat(s.dims(y)).containsExactly(2, 3, 1, 8);
        }

        @Test
        void sliceWithAttributesAtOpset9() {
            Net n = new Net(9, DYNAMIC, 3, 10, 8);
            String y = n.node("Slice", List.of("x"), ints("starts", 1, 2), ints("ends", 3, 100), ints("axes", 1, 3));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 10, 8);

            assertThat(s.dims(y)).containsExactly(2, 2, 10, 6);
        }

        @Test
        void padWithPadsInputNegativePadsAndAxes() {
            Net n = new Net(13, DYNAMIC, 3, 10, 8);
            String grown = n.node("Pad", List.of("x", n.ints(0, 0, 1, 2, 0, 0, 3, 4)), attr("mode", "constant"));
            String cropped = n.node("Pad", List.of("x", n.ints(0, 0, -1, 0, 0, 0, -1, 0)));
            Shapes s = OrtShapes.assertMatchesOrt(n.build(grown, cropped), 2, 3, 10, 8);
            assertThat(s.dims(grown)).containsExactly(2, 3, 14, 14);
            assertThat(s.dims(cropped)).containsExactly(2, 3, 8, 8);

            Net n18 = new Net(18, DYNAMIC, 3, 10, 8);
            String axes = n18.node("Pad", List.of("x", n18.ints(1, 2, 3, 4), "", n18.ints(2, -1)));
            Shapes s18 = OrtShapes.assertMatchesOrt(n18.build(axes), 2, 3, 10, 8);
            assertThat(s18.dims(axes)).containsExactly(2, 3, 14, 14);

            Net n2 = new Net(10, DYNAMIC, 3, 10, 8);
            String attribute = n2.node("Pad", List.of("x"), ints("pads", 0, 0, 1, 1, 0, 0, 1, 1));
            Shapes s2 = OrtShapes.assertMatchesOrt(n2.build(attribute), 2, 3, 10, 8);
            assertThat(s2.dims(attribute)).containsExactly(2, 3, 12, 10);
        }

        @Test
        void resizeByScalesAndBySizes() {
            Net n = new Net(13, DYNAMIC, 3, 5, 7);
            String scaled = n.node("Resize", List.of("x", "", n.floats(new long[] {4}, 1f, 1f, 2f, 1.5f)),
                    attr("mode", "nearest"));
            String sized = n.node("Resize", List.of("x", "", "", n.ints(2, 3, 9, 4)), attr("mode", "linear"));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(scaled, sized), 2, 3, 5, 7);

            assertThat(s.dims(scaled)).containsExactly(2, 3, 10, 10);
            assertThat(s.dims(sized)).containsExactly(2, 3, 9, 4);
        }

        @Test
        void resizeAtOpset11WithAnEmptyRoi() {
            Net n = new Net(11, DYNAMIC, 3, 5, 7);
            String roi = n.floats(new long[] {0});
            String y = n.node("Resize", List.of("x", roi, n.floats(new long[] {4}, 1f, 1f, 3f, 0.5f)),
                    attr("mode", "nearest"));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 1, 3, 5, 7);

            assertThat(s.dims(y)).containsExactly(1, 3, 15, 3);
        }
    }

    @Nested
    class Constants {
        @Test
        void everyConstantAttributeFormIsReadWithItsShape() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            n.raw(Protos.node("c_tensor", "Constant", List.of(), List.of("k_tensor"),
                    attr("value", Protos.randomFloats("", 3, 3, 1, 1))));
            n.raw(Protos.node("c_float", "Constant", List.of(), List.of("k_float"), attr("value_float", 0.5f)));
            n.raw(Protos.node("c_floats", "Constant", List.of(), List.of("k_floats"),
                    floats("value_floats", 1f, 2f, 3f, 4f, 5f)));
            n.raw(Protos.node("c_ints", "Constant", List.of(), List.of("k_ints"), ints("value_ints", 0, -1)));
            n.raw(Protos.node("c_int", "Constant", List.of(), List.of("k_int"), attr("value_int", 2L)));
            String y = n.node("Mul", List.of("x", "k_tensor"));
            y = n.node("Add", List.of(y, "k_float"));
            y = n.node("Add", List.of(y, "k_floats"));
            String reshaped = n.node("Reshape", List.of(y, "k_ints"));
            String gathered = n.node("Gather", List.of(reshaped, "k_int"), attr("axis", 1L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(reshaped, gathered), 2, 3, 4, 5);

            assertThat(s.dims("k_tensor")).containsExactly(3, 1, 1);
            assertThat(s.dims("k_float")).isEmpty();
            assertThat(s.dims("k_floats")).containsExactly(5);
            assertThat(s.dims("k_ints")).containsExactly(2);
            assertThat(s.intValue("k_ints")).containsExactly(0, -1);
            assertThat(s.intValue("k_int")).containsExactly(2);
            assertThat(s.dims(reshaped)).containsExactly(2, 60);
            assertThat(s.dims(gathered)).containsExactly(2);
        }

        @Test
        void expandAndConstantOfShape() {
            Net n = new Net(13, DYNAMIC, 1, 4, 1);
            String expanded = n.node("Expand", List.of("x", n.ints(2, 3, 4, 5)));
            String shape = n.node("Shape", List.of(expanded));
            String zeros = n.node("ConstantOfShape", List.of(shape),
                    attr("value", Protos.rawFloats("", new long[] {1}, 0f)));
            String sum = n.node("Add", List.of(expanded, zeros));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(sum), 2, 1, 4, 1);

            assertThat(s.dims(expanded)).containsExactly(2, 3, 4, 5);
            assertThat(s.intValue(shape)).containsExactly(2, 3, 4, 5);
            assertThat(s.dims(zeros)).containsExactly(2, 3, 4, 5);
        }
    }

    /** {@code x.view(x.size(0), -1)} and friends, as torch exports them: shape arithmetic folded to constants. */
    @Nested
    class ShapeChains {
        @ParameterizedTest
        @ValueSource(longs = {1, 8})
        void torchViewBatchByMinusOneAtOpset13(long batch) {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String shape = n.node("Shape", List.of("x"));
            String size0 = n.node("Gather", List.of(shape, n.constScalar(0)), attr("axis", 0L));
            String unsqueezed = n.node("Unsqueeze", List.of(size0, n.constInts(0)));
            String target = n.node("Concat", List.of(unsqueezed, n.constInts(-1)), attr("axis", 0L));
            String viewed = n.node("Reshape", List.of("x", target));
            String y = n.node("Relu", List.of(viewed));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), batch, 3, 4, 5);

            assertThat(s.intValue(shape)).containsExactly(batch, 3, 4, 5);
            assertThat(s.dims(size0)).isEmpty();
            assertThat(s.intValue(size0)).containsExactly(batch);
            assertThat(s.intValue(unsqueezed)).containsExactly(batch);
            assertThat(s.intValue(target)).containsExactly(batch, -1);
            assertThat(s.dims(target)).containsExactly(2);
            assertThat(s.type(target).elemType()).isEqualTo(Protos.INT64);
            assertThat(s.dims(y)).containsExactly(batch, 60);
        }

        @ParameterizedTest
        @ValueSource(longs = {1, 8})
        void torchViewAtOpset11WithAttributeAxesAndCasts(long batch) {
            Net n = new Net(11, DYNAMIC, 3, 4, 5);
            String shape = n.node("Shape", List.of("x"));
            String size0 = n.node("Gather", List.of(shape, n.constScalar(0)));
            String cast = n.node("Cast", List.of(size0), attr("to", (long) Protos.INT64));
            String unsqueezed = n.node("Unsqueeze", List.of(cast), ints("axes", 0));
            String target = n.node("Concat", List.of(unsqueezed, n.constInts(-1)), attr("axis", 0L));
            String viewed = n.node("Reshape", List.of("x", target));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(viewed), batch, 3, 4, 5);

            assertThat(s.intValue(target)).containsExactly(batch, -1);
            assertThat(s.dims(viewed)).containsExactly(batch, 60);
        }

        @ParameterizedTest
        @ValueSource(longs = {1, 8})
        void viewWithArithmeticOnSizes(long batch) {
            // x.view(n, c * h, w // 1) with the products computed from x.shape
            Net n = new Net(13, DYNAMIC, 3, 4, 6);
            String shape = n.node("Shape", List.of("x"));
            String nn = n.node("Gather", List.of(shape, n.constScalar(0)));
            String c = n.node("Gather", List.of(shape, n.constScalar(1)));
            String h = n.node("Gather", List.of(shape, n.constScalar(2)));
            String w = n.node("Gather", List.of(shape, n.constScalar(3)));
            String ch = n.node("Mul", List.of(c, h));
            String halfW = n.node("Div", List.of(w, n.constScalar(2)));
            String twice = n.node("Mul", List.of(halfW, n.constScalar(2)));
            String target = n.node("Concat", List.of(
                    n.node("Unsqueeze", List.of(nn, n.constInts(0))),
                    n.node("Unsqueeze", List.of(ch, n.constInts(0))),
                    n.node("Unsqueeze", List.of(twice, n.constInts(0)))), attr("axis", 0L));
            String viewed = n.node("Reshape", List.of("x", target));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(viewed), batch, 3, 4, 6);

            assertThat(s.intValue(target)).containsExactly(batch, 12, 6);
            assertThat(s.dims(viewed)).containsExactly(batch, 12, 6);
        }

        @Test
        void shapeWithStartAndEndAtOpset15() {
            Net n = new Net(15, DYNAMIC, 3, 4, 5);
            String batchOnly = n.node("Shape", List.of("x"), attr("start", 0L), attr("end", 1L));
            String tail = n.node("Shape", List.of("x"), attr("start", -2L));
            String target = n.node("Concat", List.of(batchOnly, n.constInts(-1)), attr("axis", 0L));
            String viewed = n.node("Reshape", List.of("x", target));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(viewed), 8, 3, 4, 5);

            assertThat(s.intValue(batchOnly)).containsExactly(8);
            assertThat(s.intValue(tail)).containsExactly(4, 5);
            assertThat(s.dims(viewed)).containsExactly(8, 60);
        }

        /** ONNX integer Div truncates toward zero (as C does); -3 / 2 is -1, so the slice keeps one column. */
        @Test
        void integerDivisionOfShapeValuesTruncatesTowardZero() {
            Net n = new Net(13, DYNAMIC, 3, 4, 5);
            String start = n.node("Div", List.of(n.constInts(-3), n.constInts(2)));
            String y = n.node("Slice", List.of("x", start, n.constInts(INT64_MAX), n.constInts(3)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(y), 2, 3, 4, 5);

            assertThat(s.intValue(start)).containsExactly(-1);
            assertThat(s.dims(y)).containsExactly(2, 3, 4, 1);
        }

        @Test
        void reshapeToAComputedShapeThatCannotBeFoldedIsRefusedByName() {
            Net n = new Net(13, 1, 3, 4, 5);
            String shapeAsFloat = n.node("ReduceMax", List.of("x"), attr("keepdims", 0L));
            String cast = n.node("Cast", List.of(shapeAsFloat), attr("to", (long) Protos.INT64));
            String target = n.node("Unsqueeze", List.of(cast, n.constInts(0)));
            n.node("Reshape", List.of("x", target));

            assertFailure(n.build("reshape1"), ModelProblem.SHAPE_INFERENCE_FAILED, "reshape1", "cannot be folded");
        }
    }

    static void assertFailure(ModelProto model, ModelProblem problem, String... culprits) {
        assertThatThrownBy(() -> ShapeInference.infer(new Graph(model), java.util.Map.of()))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).as(e.getMessage()).isEqualTo(problem);
                    assertThat(e.code()).isEqualTo(problem.name());
                    assertThat(e.getMessage()).contains(culprits);
                });
    }

    @Nested
    class TransformerShapes {
        /** torch's {@code token.expand(x.shape[0], -1, -1)}: the target comes from Shape through Equal and Where. */
        @Test
        void classTokenExpandFollowsTheBatch() {
            Net n = new Net(17, DYNAMIC, 4, 6);
            String batch = n.node("Unsqueeze", List.of(n.node("Gather", List.of(n.node("Shape", List.of("x")),
                    n.constScalar(0)), attr("axis", 0L)), n.ints(0)));
            String target = n.node("Concat", List.of(batch, n.ints(-1), n.ints(-1)), attr("axis", 0L));
            String ones = n.node("ConstantOfShape", List.of(n.node("Shape", List.of(target))),
                    attr("value", Protos.rawLongs("", new long[] {1}, 1)));
            String minusOnes = n.node("Mul", List.of(ones, n.constInts(-1)));
            String keep = n.node("Equal", List.of(target, minusOnes));
            String resolved = n.node("Where", List.of(keep, ones, target));
            String tokens = n.node("Expand", List.of(n.weight(1, 1, 6), resolved));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(tokens), 8, 4, 6);

            assertThat(s.intValue(keep)).containsExactly(0, 1, 1);
            assertThat(s.intValue(resolved)).containsExactly(8, 1, 1);
            assertThat(s.dims(tokens)).containsExactly(8, 1, 6);
        }

        /** F.pad with computed amounts: pairs reshaped to [-1, 2], reversed by a Slice of step -1, transposed. */
        @Test
        void computedPadsFoldThroughSliceAndTranspose() {
            Net n = new Net(17, DYNAMIC, 3, 5, 6);
            String width = n.node("Unsqueeze", List.of(n.node("Mod", List.of(n.node("Sub", List.of(n.constScalar(4),
                    n.node("Mod", List.of(n.node("Gather", List.of(n.node("Shape", List.of("x")), n.constScalar(3)),
                            attr("axis", 0L)), n.constScalar(4))))), n.constScalar(4))), n.ints(0)));
            String pairs = n.node("Reshape", List.of(n.node("Concat", List.of(n.ints(0, 0, 0, 1, 0, 0), width,
                    n.ints(0)), attr("axis", 0L)), n.ints(-1, 2)));
            String reversed = n.node("Slice", List.of(pairs, n.ints(-1), n.ints(Long.MIN_VALUE + 1), n.ints(0),
                    n.ints(-1)));
            String pads = n.node("Reshape", List.of(n.node("Transpose", List.of(reversed), ints("perm", 1, 0)),
                    n.ints(-1)));
            String padded = n.node("Pad", List.of("x", pads));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(padded), 2, 3, 5, 6);

            assertThat(s.intValue(width)).containsExactly(2);
            assertThat(s.intValue(pads)).as("torch's last-axis-first pairs, as ONNX begins then ends")
                    .containsExactly(2, 0, 0, 0, 0, 0, 1, 0);
            assertThat(s.dims(padded)).containsExactly(4, 3, 6, 6);
        }

        /** Position encodings: a float Range over stored bounds, added to the tokens. */
        @Test
        void floatRangeOverStoredBounds() {
            Net n = new Net(13, DYNAMIC, 4, 6);
            String positions = n.node("Range", List.of(n.floats(new long[0], 0.5f), n.floats(new long[0], 3.3f),
                    n.floats(new long[0], 0.5f)));
            String sum = n.node("Add", List.of("x", positions));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(sum), 2, 4, 6);

            assertThat(s.dims(positions)).containsExactly(6);
        }

        @Test
        void tileRepeatsDataAndFoldsShapeValues() {
            Net n = new Net(13, DYNAMIC, 4, 6);
            String twice = n.node("Tile", List.of(n.node("Shape", List.of("x")), n.ints(2)));
            String tiled = n.node("Tile", List.of("x", n.ints(1, 3, 2)));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(tiled, n.node("Cast", List.of(twice),
                    attr("to", (long) TensorProto.DataType.FLOAT_VALUE))), 2, 4, 6);

            assertThat(s.intValue(twice)).containsExactly(2, 4, 6, 2, 4, 6);
            assertThat(s.dims(tiled)).containsExactly(2, 12, 12);
        }

        @Test
        void layerNormalizationStatisticsKeepTheLeadingAxes() {
            Net n = new Net(17, DYNAMIC, 5, 8);
            String[] out = n.multi("LayerNormalization", List.of("x", n.weight(5, 8), n.weight(8)), 3,
                    attr("axis", 1L));

            Shapes s = OrtShapes.assertMatchesOrt(n.build(out), 2, 5, 8);

            assertThat(s.dims(out[0])).containsExactly(2, 5, 8);
            assertThat(s.dims(out[1])).containsExactly(2, 1, 1);
            assertThat(s.dims(out[2])).containsExactly(2, 1, 1);
        }
    }
}
