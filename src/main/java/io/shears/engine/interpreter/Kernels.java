package io.shears.engine.interpreter;

import io.shears.graph.Node;
import io.shears.onnx.InvalidModelException;
import io.shears.onnx.ModelProblem;

import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one table of interpreter kernels, per ONNX operator of the default domain. Supporting an operator means adding
 * one entry here (DESIGN.md: one registry of per-operator rules); a node whose operator has no entry is refused by
 * name when the interpreter is built, never skipped.
 */
final class Kernels {
    private static final Map<String, OpKernel> KERNELS = build();

    private Kernels() {
    }

    private static Map<String, OpKernel> build() {
        Map<String, OpKernel> kernels = new TreeMap<>();
        Registrar r = new Registrar(kernels);
        ConvolutionKernels.register(r);
        LinearKernels.register(r);
        NormalizationKernels.register(r);
        ActivationKernels.register(r);
        ArithmeticKernels.register(r);
        PoolingKernels.register(r);
        ReductionKernels.register(r);
        LayoutKernels.register(r);
        ResizeKernels.register(r);
        ShapeKernels.register(r);
        return Collections.unmodifiableMap(kernels);
    }

    /** The operators the interpreter runs. */
    public static Set<String> supported() {
        return KERNELS.keySet();
    }

    /** The kernel for a node, checked against the node's attributes; refuses unknown operators by name. */
    static OpKernel forNode(Node node, int opset) {
        OpKernel kernel = node.domain().isEmpty() || node.domain().equals("ai.onnx") ? KERNELS.get(node.op()) : null;
        if (kernel == null) {
            String op = (node.domain().isEmpty() ? "" : node.domain() + ".") + node.op();
            throw new InvalidModelException(ModelProblem.UNSUPPORTED_OPERATOR,
                    "node " + node + ": operator '" + op + "' has no interpreter kernel");
        }
        kernel.validate(node, opset);
        return kernel;
    }

    /** The refusal for an operator used in a form the interpreter does not implement. */
    static InvalidModelException unsupported(Node node, String detail) {
        return new InvalidModelException(ModelProblem.UNSUPPORTED_OPERATOR, "node " + node + ": " + detail);
    }

    /** Collects the entries of the kernel families. */
    static final class Registrar {
        private final Map<String, OpKernel> kernels;

        Registrar(Map<String, OpKernel> kernels) {
            this.kernels = kernels;
        }

        void add(OpKernel kernel, String... ops) {
            for (String op : ops) {
                if (kernels.put(op, kernel) != null) {
                    throw new IllegalStateException("two kernels for " + op);
                }
            }
        }
    }
}
