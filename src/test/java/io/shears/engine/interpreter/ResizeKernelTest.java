package io.shears.engine.interpreter;

import ai.onnx.proto.OnnxMl.AttributeProto;
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
import static io.shears.engine.NodeModel.floatsAttr;
import static io.shears.engine.NodeModel.intAttr;
import static io.shears.engine.NodeModel.intsAttr;
import static io.shears.engine.NodeModel.stringAttr;

/** Resize against ONNX Runtime: every mode, coordinate transformation, nearest rounding, scales and sizes. */
class ResizeKernelTest {
    private static final long[] X = {2, 3, 6, 8};
    private static final String[] COORDINATES = {"half_pixel", "pytorch_half_pixel", "align_corners", "asymmetric",
        "tf_half_pixel_for_nn"};
    private static final float[][] SCALES = {{1, 1, 2, 2}, {1, 1, 0.6f, 0.75f}, {1, 1, 1.5f, 2.5f}};

    /** A Resize with scales (or sizes, when {@code sizes} is non-null) and the given attributes. */
    static NodeModel resize(String name, float[] scales, long[] sizes, float[] roi, AttributeProto... attributes) {
        NodeModel m = new NodeModel(name.hashCode(), X);
        List<String> inputs = new ArrayList<>(List.of(NodeModel.INPUT,
                roi == null ? "" : m.floats("roi", new long[] {roi.length}, roi)));
        if (sizes != null) {
            inputs.add("");
            inputs.add(m.longs("sizes", sizes));
        } else {
            inputs.add(m.floats("scales", new long[] {scales.length}, scales));
        }
        return m.single("Resize", inputs, attributes);
    }

    static Stream<Arguments> nearest() {
        List<Arguments> cases = new ArrayList<>();
        for (String coordinates : COORDINATES) {
            for (String rounding : new String[] {"round_prefer_floor", "round_prefer_ceil", "floor", "ceil"}) {
                for (float[] scales : SCALES) {
                    cases.add(Arguments.of(coordinates, rounding, scales));
                }
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "nearest {0} {1} scales {2}")
    @MethodSource("nearest")
    void nearestMatchesOnnxRuntime(String coordinates, String rounding, float[] scales) {
        String what = "nearest " + coordinates + " " + rounding + " " + Arrays.toString(scales);
        KernelCheck.matchesOrt(resize(what, scales, null, null, stringAttr("mode", "nearest"),
                stringAttr("coordinate_transformation_mode", coordinates), stringAttr("nearest_mode", rounding)),
                13, what);
    }

    static Stream<Arguments> interpolating() {
        List<Arguments> cases = new ArrayList<>();
        for (String coordinates : COORDINATES) {
            for (float[] scales : SCALES) {
                cases.add(Arguments.of("linear", coordinates, scales));
                cases.add(Arguments.of("cubic", coordinates, scales));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {1} scales {2}")
    @MethodSource("interpolating")
    void linearAndCubicMatchOnnxRuntime(String mode, String coordinates, float[] scales) {
        String what = mode + " " + coordinates + " " + Arrays.toString(scales);
        KernelCheck.matchesOrt(resize(what, scales, null, null, stringAttr("mode", mode),
                stringAttr("coordinate_transformation_mode", coordinates)), 13, what);
    }

    @Test
    void cubicWithExcludeOutsideAndAnotherCoefficientMatchesOnnxRuntime() {
        for (float[] scales : SCALES) {
            String what = "cubic exclude_outside a=-0.5 " + Arrays.toString(scales);
            KernelCheck.matchesOrt(resize(what, scales, null, null, stringAttr("mode", "cubic"),
                    intAttr("exclude_outside", 1), floatAttr("cubic_coeff_a", -0.5f)), 13, what);
        }
    }

    @Test
    void sizesInsteadOfScalesMatchOnnxRuntime() {
        for (String mode : new String[] {"nearest", "linear", "cubic"}) {
            for (String coordinates : new String[] {"half_pixel", "align_corners", "pytorch_half_pixel"}) {
                String what = mode + " " + coordinates + " sizes 13x5";
                KernelCheck.matchesOrt(resize(what, null, new long[] {2, 3, 13, 5}, null, stringAttr("mode", mode),
                        stringAttr("coordinate_transformation_mode", coordinates)), 13, what);
            }
        }
    }

    @Test
    void channelAxisCanBeResizedToo() {
        KernelCheck.matchesOrt(resize("channels", new float[] {1, 2, 1, 1}, null, null, stringAttr("mode", "nearest")),
                13, "nearest over channels");
        KernelCheck.matchesOrt(resize("channels linear", new float[] {1, 2, 1.5f, 1}, null, null,
                stringAttr("mode", "linear")), 13, "linear over channels and height");
    }

    @Test
    void tfCropAndResizeExtrapolatesOutsideTheRoi() {
        float[] roi = {0, 0, -0.2f, 0.1f, 1, 1, 0.9f, 1.3f};
        for (String mode : new String[] {"nearest", "linear", "cubic"}) {
            String what = "tf_crop_and_resize " + mode;
            KernelCheck.matchesOrt(resize(what, null, new long[] {2, 3, 7, 9}, roi, stringAttr("mode", mode),
                    stringAttr("coordinate_transformation_mode", "tf_crop_and_resize"),
                    floatAttr("extrapolation_value", -3.5f)), 13, what);
        }
    }

    @Test
    void opset18AxesHalfPixelSymmetricAndAspectRatioPoliciesMatchOnnxRuntime() {
        for (String mode : new String[] {"nearest", "linear"}) {
            String what = "half_pixel_symmetric with axes " + mode;
            KernelCheck.matchesOrt(resize(what, new float[] {0.6f, 1.75f}, null, null, stringAttr("mode", mode),
                    stringAttr("coordinate_transformation_mode", "half_pixel_symmetric"), intsAttr("axes", 2, 3)),
                    18, what);
            for (String policy : new String[] {"not_larger", "not_smaller"}) {
                String policyCase = policy + " " + mode;
                KernelCheck.matchesOrt(resize(policyCase, null, new long[] {13, 11}, null, stringAttr("mode", mode),
                        stringAttr("keep_aspect_ratio_policy", policy), intsAttr("axes", 2, 3)), 18, policyCase);
            }
        }
    }

    @Test
    void resizeOfOpset10AndUpsampleUseAsymmetricCoordinates() {
        for (String mode : new String[] {"nearest", "linear"}) {
            for (float[] scales : SCALES) {
                String what = "Resize-10 " + mode + " " + Arrays.toString(scales);
                NodeModel m = new NodeModel(what.hashCode(), X);
                m.single("Resize", List.of(NodeModel.INPUT, m.floats("scales", new long[] {4}, scales)),
                        stringAttr("mode", mode));
                KernelCheck.matchesOrt(m, 10, what);

                String upsample = "Upsample-9 " + mode + " " + Arrays.toString(scales);
                if (scales[2] >= 1 && scales[3] >= 1) {
                    NodeModel u = new NodeModel(upsample.hashCode(), X);
                    u.single("Upsample", List.of(NodeModel.INPUT, u.floats("scales", new long[] {4}, scales)),
                            stringAttr("mode", mode));
                    KernelCheck.matchesOrt(u, 9, upsample);
                    NodeModel attributeForm = new NodeModel(upsample.hashCode(), X)
                            .single("Upsample", List.of(NodeModel.INPUT), stringAttr("mode", mode),
                                    floatsAttr("scales", scales));
                    KernelCheck.matchesOrt(attributeForm, 7, "Upsample-7 " + mode);
                }
            }
        }
    }
}
