package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import io.shears.graph.EinsumEquation;
import io.shears.graph.Node;

import java.util.ArrayList;
import java.util.List;

/** Gemm, MatMul and Einsum. */
final class LinearKernels {
    private LinearKernels() {
    }

    static void register(Kernels.Registrar r) {
        r.add(LinearKernels::gemm, "Gemm");
        r.add(ctx -> new NDList(ctx.input(0).matMul(ctx.input(1))), "MatMul");
        r.add(OpKernel.checked(LinearKernels::checkEinsum, LinearKernels::einsum), "Einsum");
    }

    private static void checkEinsum(Node node, int opset) {
        if (node.inputCount() > 2) {
            throw Kernels.unsupported(node, "Einsum of " + node.inputCount() + " operands is not supported");
        }
    }

    /**
     * One operand: sum the labels the output drops, then order the rest. Two: sum each operand's own dropped labels,
     * then one batched MatMul of [batch, left, contracted] by [batch, contracted, right], put back in output order.
     */
    static NDList einsum(KernelContext ctx) {
        List<long[]> dims = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) {
            dims.add(ShapeMath.dims(ctx.input(i)));
        }
        EinsumEquation eq;
        try {
            eq = EinsumEquation.resolve(ctx.node().attrString("equation", ""), dims);
        } catch (IllegalArgumentException e) {
            throw ctx.failure(e.getMessage());
        }
        String out = eq.output();
        if (dims.size() == 1) {
            return new NDList(arrange(eq, ctx.input(0), eq.operands().get(0), out));
        }
        String a = eq.operands().get(0);
        String b = eq.operands().get(1);
        StringBuilder batch = new StringBuilder();
        StringBuilder left = new StringBuilder();
        StringBuilder right = new StringBuilder();
        StringBuilder contracted = new StringBuilder();
        for (char label : out.toCharArray()) {
            boolean inA = a.indexOf(label) >= 0;
            boolean inB = b.indexOf(label) >= 0;
            (inA && inB ? batch : inA ? left : right).append(label);
        }
        for (char label : a.toCharArray()) {
            if (out.indexOf(label) < 0 && b.indexOf(label) >= 0) {
                contracted.append(label);
            }
        }
        NDArray x = arrange(eq, ctx.input(0), a, "" + batch + left + contracted);
        NDArray y = arrange(eq, ctx.input(1), b, "" + batch + contracted + right);
        long batchSize = product(eq, batch);
        NDArray product = x.reshape(batchSize, product(eq, left), product(eq, contracted))
                .matMul(y.reshape(batchSize, product(eq, contracted), product(eq, right)));
        String produced = "" + batch + left + right;
        NDArray shaped = product.reshape(new Shape(sizes(eq, produced)));
        return new NDList(shaped.transpose(order(produced, out)));
    }

    /** The operand with the labels outside {@code target} summed away, broadcast and ordered as {@code target}. */
    private static NDArray arrange(EinsumEquation eq, NDArray x, String labels, String target) {
        List<Integer> dropped = new ArrayList<>();
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < labels.length(); i++) {
            if (target.indexOf(labels.charAt(i)) < 0) {
                dropped.add(i);
            } else {
                kept.append(labels.charAt(i));
            }
        }
        NDArray summed = dropped.isEmpty() ? x
                : Reductions.reduce(x, dropped.stream().mapToInt(Integer::intValue).toArray(), false,
                Reductions.Kind.SUM);
        StringBuilder present = new StringBuilder();
        for (char label : target.toCharArray()) {
            if (kept.indexOf(String.valueOf(label)) >= 0) {
                present.append(label);
            }
        }
        NDArray ordered = summed.transpose(order(kept.toString(), present.toString()));
        long[] withMissing = new long[target.length()];
        long[] orderedDims = ShapeMath.dims(ordered);
        for (int i = 0, j = 0; i < target.length(); i++) {
            withMissing[i] = present.indexOf(String.valueOf(target.charAt(i))) >= 0 ? orderedDims[j++] : 1;
        }
        return ShapeMath.broadcastTo(ordered.reshape(new Shape(withMissing)), sizes(eq, target));
    }

    /** The permutation that takes axes labelled {@code from} to the order {@code to} (same labels). */
    private static int[] order(String from, String to) {
        int[] perm = new int[to.length()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = from.indexOf(to.charAt(i));
        }
        return perm;
    }

    private static long[] sizes(EinsumEquation eq, CharSequence labels) {
        long[] out = new long[labels.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] = eq.sizes().get(labels.charAt(i));
        }
        return out;
    }

    private static long product(EinsumEquation eq, CharSequence labels) {
        long n = 1;
        for (long size : sizes(eq, labels)) {
            n *= size;
        }
        return n;
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
