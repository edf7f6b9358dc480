package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.Node;

/** BatchNormalization, InstanceNormalization, LayerNormalization and LRN. */
final class NormalizationKernels {
    private NormalizationKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(OpKernel.checked(NormalizationKernels::checkBatchNorm, NormalizationKernels::batchNorm),
                "BatchNormalization");
        r.add(NormalizationKernels::instanceNorm, "InstanceNormalization");
        r.add(NormalizationKernels::layerNorm, "LayerNormalization");
        r.add(NormalizationKernels::localResponseNorm, "LRN");
    }

    private static void checkBatchNorm(Node node, int opset) {
        for (int i = 3; i < node.outputs().size(); i++) {
            if (!node.output(i).isEmpty()) {
                throw Kernels.unsupported(node, "BatchNormalization output " + i + " (the saved batch statistics of "
                        + "opsets before 9) is not supported");
            }
        }
    }

    /**
     * Inference normalises with the running statistics. Training normalises with the batch's statistics and updates
     * the running ones in place (PyTorch's rule, variance unbiased), as {@code running = momentum * running + (1 -
     * momentum) * batch} with ONNX's momentum. DJL's momentum means the same (its PyTorch engine hands PyTorch
     * 1 - momentum, PyTorch's convention), so the attribute passes through unchanged.
     */
    static NDList batchNorm(KernelContext ctx) {
        NDArray x = ctx.input(0);
        NDArray scale = ctx.input(1);
        NDArray bias = ctx.input(2);
        NDArray mean = ctx.input(3);
        NDArray variance = ctx.input(4);
        float epsilon = ctx.node().attrFloat("epsilon", 1e-5f);
        float momentum = ctx.node().attrFloat("momentum", 0.9f);
        NDArray y = x.getNDArrayInternal()
                .batchNorm(x, mean, variance, scale, bias, 1, momentum, epsilon, ctx.mode().batchStatistics()).head();
        if (!ctx.wantsOutput(1) && !ctx.wantsOutput(2)) {
            return new NDList(y);
        }
        return new NDList(y, mean, variance);
    }

    static NDList instanceNorm(KernelContext ctx) {
        NDArray x = ctx.input(0);
        int rank = x.getShape().dimension();
        int[] spatial = Reductions.axesFrom(2, rank);
        float epsilon = ctx.node().attrFloat("epsilon", 1e-5f);
        NDArray centered = x.sub(Reductions.reduce(x, spatial, true, Reductions.Kind.MEAN));
        NDArray variance = Reductions.reduce(centered.square(), spatial, true, Reductions.Kind.MEAN);
        Shape perChannel = perChannel(x.getShape());
        NDArray normalized = centered.div(variance.add(epsilon).sqrt());
        return new NDList(normalized.mul(ctx.input(1).reshape(perChannel)).add(ctx.input(2).reshape(perChannel)));
    }

    /**
     * Normalizes over the axes from {@code axis} on, with the biased variance, then scales and shifts (scale and bias
     * broadcast against those axes). Outputs 1 and 2 are the mean and 1 / sqrt(variance + epsilon).
     */
    static NDList layerNorm(KernelContext ctx) {
        NDArray x = ctx.input(0);
        int rank = x.getShape().dimension();
        int[] normalized = Reductions.axesFrom(io.shears.graph.Axes.normalize(ctx.node().attrInt("axis", -1), rank),
                rank);
        float epsilon = ctx.node().attrFloat("epsilon", 1e-5f);
        NDArray mean = Reductions.reduce(x, normalized, true, Reductions.Kind.MEAN);
        NDArray centered = x.sub(mean);
        NDArray variance = Reductions.reduce(centered.square(), normalized, true, Reductions.Kind.MEAN);
        NDArray inverseDeviation = variance.add(epsilon).sqrt().getNDArrayInternal().rdiv(1f);
        NDArray y = centered.mul(inverseDeviation).mul(ctx.input(1));
        if (ctx.hasInput(2)) {
            y = y.add(ctx.input(2));
        }
        if (!ctx.wantsOutput(1) && !ctx.wantsOutput(2)) {
            return new NDList(y);
        }
        return new NDList(y, mean, inverseDeviation);
    }

    /** y = x / (bias + alpha / size * sum of x^2 over the channel window)^beta, the window centred on the channel. */
    static NDList localResponseNorm(KernelContext ctx) {
        Node node = ctx.node();
        NDArray x = ctx.input(0);
        long size = node.attrInt("size", 1);
        float alpha = node.attrFloat("alpha", 1e-4f);
        float beta = node.attrFloat("beta", 0.75f);
        float bias = node.attrFloat("bias", 1f);
        long[] dims = ShapeMath.dims(x);
        long[] begin = new long[dims.length];
        long[] end = new long[dims.length];
        begin[1] = (size - 1) / 2;
        end[1] = size - 1 - begin[1];
        NDArray squares = Padding.padOrCrop(x.square(), begin, end, 0);
        NDArray sum = null;
        for (long j = 0; j < size; j++) {
            NDArray window = squares.get(new NDIndex().addAllDim().addSliceDim(j, j + dims[1]));
            sum = sum == null ? window : sum.add(window);
        }
        return new NDList(x.div(sum.mul(alpha / size).add(bias).pow(beta)));
    }

    /** [C, 1, ...] for an [N, C, ...] shape, so per-channel vectors broadcast. */
    static Shape perChannel(Shape x) {
        long[] dims = new long[x.dimension() - 1];
        dims[0] = x.get(1);
        for (int i = 1; i < dims.length; i++) {
            dims[i] = 1;
        }
        return new Shape(dims);
    }
}
