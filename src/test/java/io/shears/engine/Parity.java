package io.shears.engine;

import static org.assertj.core.api.Assertions.assertThat;

/** The interpreter's parity bar: max |interpreter - ONNX Runtime| at most 1e-4 of max |ONNX Runtime|. */
public final class Parity {
    public static final double RELATIVE_BAR = 1e-4;
    /** Where the reference is all zeros, a relative bar means nothing; an absolute one stands in. */
    public static final double ABSOLUTE_FLOOR = 1e-6;

    private Parity() {
    }

    /** max |actual - reference| / max |reference| (or the absolute difference where the reference is zero). */
    public static double relativeError(float[] actual, float[] reference) {
        double maxDiff = 0;
        double maxRef = 0;
        for (int i = 0; i < reference.length; i++) {
            double diff = Math.abs((double) actual[i] - reference[i]);
            if (Double.isNaN(diff)) {
                return Double.POSITIVE_INFINITY;
            }
            maxDiff = Math.max(maxDiff, diff);
            maxRef = Math.max(maxRef, Math.abs(reference[i]));
        }
        return maxRef == 0 ? maxDiff : maxDiff / maxRef;
    }

    public static double assertClose(float[] actual, float[] reference, String what) {
        assertThat(actual).as(what + ": element count").hasSameSizeAs(reference);
        double error = relativeError(actual, reference);
        double bar = isAllZero(reference) ? ABSOLUTE_FLOOR : RELATIVE_BAR;
        assertThat(error).as(what + ": max |diff| / max |ref|").isLessThanOrEqualTo(bar);
        return error;
    }

    private static boolean isAllZero(float[] values) {
        for (float v : values) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }
}
