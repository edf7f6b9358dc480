package io.shears.engine.interpreter;

import ai.djl.ndarray.NDList;
import io.shears.graph.Node;

/**
 * Runs one ONNX operator on NDArrays. A kernel returns its outputs in order; it may stop early where the node's
 * trailing optional outputs are not used ({@link KernelContext#wantsOutput}).
 */
@FunctionalInterface
interface OpKernel {
    NDList run(KernelContext ctx);

    /**
     * Refuses, when the block is built and before anything runs, attribute values the kernel does not implement, by
     * throwing {@link io.shears.onnx.InvalidModelException} with {@code UNSUPPORTED_OPERATOR}.
     */
    default void validate(Node node, int opset) {
    }

    /** A kernel with a build-time check. */
    static OpKernel checked(Validation validation, OpKernel kernel) {
        return new OpKernel() {
            @Override
            public NDList run(KernelContext ctx) {
                return kernel.run(ctx);
            }

            @Override
            public void validate(Node node, int opset) {
                validation.validate(node, opset);
            }
        };
    }

    @FunctionalInterface
    interface Validation {
        void validate(Node node, int opset);
    }
}
