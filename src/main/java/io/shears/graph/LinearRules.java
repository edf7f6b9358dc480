package io.shears.graph;

/** Gemm, MatMul and Einsum. */
final class LinearRules {
    private LinearRules() {
    }

    static void register(OperatorRules.Registrar r) {
        r.costed("Gemm", LinearRules::gemm, LinearRules::gemmMacs);
        r.costed("MatMul", LinearRules::matMul, LinearRules::matMulMacs);
        r.costed("Einsum", LinearRules::einsum, LinearRules::einsumMacs);
    }

    static void einsum(ShapeContext ctx) {
        java.util.List<long[]> dims = new java.util.ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) {
            dims.add(ctx.dims(i));
        }
        if (dims.size() > 2) {
            throw ctx.fail("Einsum of " + dims.size() + " operands is not supported (one or two are)");
        }
        ctx.output(0, ctx.elemType(0), EinsumEquation.resolve(ctx.node().attrString("equation", ""), dims)
                .outputDims());
    }

    static long einsumMacs(Node node, Shapes shapes) {
        java.util.List<long[]> dims = new java.util.ArrayList<>();
        for (String in : node.inputs()) {
            dims.add(shapes.dims(in));
        }
        return EinsumEquation.resolve(node.attrString("equation", ""), dims).macs();
    }

    static void gemm(ShapeContext ctx) {
        long[] a = ctx.dims(0);
        long[] b = ctx.dims(1);
        if (a.length != 2 || b.length != 2) {
            throw ctx.fail("Gemm needs 2-D inputs, got " + TensorType.format(a) + " and " + TensorType.format(b));
        }
        boolean transA = ctx.node().attrInt("transA", 0) != 0;
        boolean transB = ctx.node().attrInt("transB", 0) != 0;
        long m = transA ? a[1] : a[0];
        long k = transA ? a[0] : a[1];
        long kb = transB ? b[1] : b[0];
        long n = transB ? b[0] : b[1];
        if (k != kb) {
            throw ctx.fail("A has " + k + " features but B expects " + kb);
        }
        if (ctx.hasInput(2)) {
            Axes.broadcast(ctx, ctx.dims(2), new long[] {m, n});
        }
        ctx.output(0, ctx.elemType(0), m, n);
    }

    static long gemmMacs(Node node, Shapes shapes) {
        long[] a = shapes.dims(node.input(0));
        long[] y = shapes.dims(node.output(0));
        long k = node.attrInt("transA", 0) != 0 ? a[0] : a[1];
        return y[0] * y[1] * k;
    }

    static void matMul(ShapeContext ctx) {
        long[] a = ctx.dims(0);
        long[] b = ctx.dims(1);
        long[] a2 = a.length == 1 ? new long[] {1, a[0]} : a;
        long[] b2 = b.length == 1 ? new long[] {b[0], 1} : b;
        if (a2[a2.length - 1] != b2[b2.length - 2]) {
            throw ctx.fail("MatMul inner dimensions differ: " + TensorType.format(a) + " x " + TensorType.format(b));
        }
        long[] batch = Axes.broadcast(ctx, java.util.Arrays.copyOf(a2, a2.length - 2),
                java.util.Arrays.copyOf(b2, b2.length - 2));
        java.util.List<Long> out = new java.util.ArrayList<>();
        for (long d : batch) {
            out.add(d);
        }
        if (a.length != 1) {
            out.add(a2[a2.length - 2]);
        }
        if (b.length != 1) {
            out.add(b2[b2.length - 1]);
        }
        ctx.output(0, ctx.elemType(0), out.stream().mapToLong(Long::longValue).toArray());
    }

    static long matMulMacs(Node node, Shapes shapes) {
        long[] a = shapes.dims(node.input(0));
        long[] y = shapes.dims(node.output(0));
        return Axes.product(y, 0, y.length) * a[a.length - 1];
    }
}
