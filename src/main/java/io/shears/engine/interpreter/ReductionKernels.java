package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Axes;

import java.util.Arrays;
import java.util.function.BiFunction;

/** The Reduce family, over several axes by {@link Reductions}. */
final class ReductionKernels {
    private ReductionKernels() {
    }

    static void register(Kernels.Registrar r) {
        reduction(r, "ReduceMean", (x, a) -> Reductions.reduce(x, a, true, Reductions.Kind.MEAN));
        reduction(r, "ReduceMax", (x, a) -> Reductions.reduce(x, a, true, Reductions.Kind.MAX));
        reduction(r, "ReduceMin", (x, a) -> Reductions.reduce(x, a, true, Reductions.Kind.MIN));
        reduction(r, "ReduceSum", (x, a) -> Reductions.reduce(x, a, true, Reductions.Kind.SUM));
        reduction(r, "ReduceProd", (x, a) -> Reductions.reduce(x, a, true, Reductions.Kind.PROD));
        reduction(r, "ReduceL1", (x, a) -> Reductions.reduce(x.abs(), a, true, Reductions.Kind.SUM));
        reduction(r, "ReduceL2", (x, a) -> Reductions.reduce(x.square(), a, true, Reductions.Kind.SUM).sqrt());
        reduction(r, "ReduceSumSquare", (x, a) -> Reductions.reduce(x.square(), a, true, Reductions.Kind.SUM));
        reduction(r, "ReduceLogSumExp", ReductionKernels::logSumExp);
    }

    /**
     * Registers a reduction computed with kept dimensions; the kernel drops them afterwards where keepdims = 0. Axes
     * come from the attribute (older opsets) or the optional second input (ReduceSum from 13, the others from 18).
     */
    private static void reduction(Kernels.Registrar r, String op, BiFunction<NDArray, int[], NDArray> keptDims) {
        r.add(ctx -> {
            NDArray x = ctx.input(0);
            int rank = x.getShape().dimension();
            long[] axes = ctx.node().attrInts("axes");
            if (axes == null) {
                axes = ctx.optionalLongs(1);
            }
            if (axes == null || axes.length == 0) {
                if (ctx.node().attrInt("noop_with_empty_axes", 0) != 0) {
                    // reduces nothing, but the element-wise part stays (ReduceL1 gives |x|, as ONNX Runtime does)
                    return new NDList(keptDims.apply(x, new int[0]));
                }
                axes = new long[rank];
                for (int i = 0; i < rank; i++) {
                    axes[i] = i;
                }
            }
            boolean[] reduced = new boolean[rank];
            int[] normalized = new int[axes.length];
            for (int i = 0; i < axes.length; i++) {
                normalized[i] = Axes.normalize(axes[i], rank);
                reduced[normalized[i]] = true;
            }
            NDArray y = keptDims.apply(x, normalized);
            if (ctx.node().attrInt("keepdims", 1) != 0) {
                return new NDList(y);
            }
            long[] dims = ShapeMath.dims(x);
            long[] kept = new long[rank];
            int keptRank = 0;
            for (int i = 0; i < rank; i++) {
                if (!reduced[i]) {
                    kept[keptRank++] = dims[i];
                }
            }
            return new NDList(y.reshape(new Shape(Arrays.copyOf(kept, keptRank))));
        }, op);
    }

    /** log(sum(exp(x))) computed as max + log(sum(exp(x - max))), which cannot overflow. */
    private static NDArray logSumExp(NDArray x, int[] axes) {
        NDArray max = Reductions.reduce(x, axes, true, Reductions.Kind.MAX).stopGradient();
        return Reductions.reduce(x.sub(max).exp(), axes, true, Reductions.Kind.SUM).log().add(max);
    }
}
