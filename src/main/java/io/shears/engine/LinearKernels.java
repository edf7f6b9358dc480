package io.shears.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/** Gemm and MatMul. */
final class LinearKernels {
    private LinearKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(LinearKernels::gemm, "Gemm");
        r.add(ctx -> new NDList(ctx.input(0).matMul(ctx.input(1))), "MatMul");
    }

    /** Y = alpha * A' B' + beta * C; the form exporters write for Linear (B transposed, 1-D bias) is one fused call. */
    static NDList gemm(KernelContext ctx) {
        NDArray a = ctx.input(0);
        NDArray b = ctx.input(1);
        NDArray c = ctx.optionalInput(2);
        boolean transA = ctx.node().attrInt("transA", 0) != 0;
        boolean transB = ctx.node().attrInt("transB", 0) != 0;
        float alpha = ctx.node().attrFloat("alpha", 1f);
        float beta = ctx.node().attrFloat("beta", 1f);
        if (!transA && transB && alpha == 1f && (c == null || beta == 1f && c.getShape().dimension() == 1)) {
            return new NDList(a.getNDArrayInternal().linear(a, b, c).head());
        }
        NDArray y = (transA ? a.transpose() : a).matMul(transB ? b.transpose() : b);
        if (alpha != 1f) {
            y = y.mul(alpha);
        }
        if (c != null) {
            y = y.add(beta == 1f ? c : c.mul(beta));
        }
        return new NDList(y);
    }
}
