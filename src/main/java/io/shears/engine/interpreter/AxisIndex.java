package io.shears.engine.interpreter;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * Picks positions along one axis by an index array (PyTorch's index_select through DJL's indexing), for Gather and
 * for the reflect, edge and wrap modes of Pad. Works for every element type and passes gradients to the picked
 * elements.
 */
final class AxisIndex {
    private AxisIndex() {
    }

    /** {@code x} with {@code axis} replaced by the positions {@code indices} (1-D int64, non-negative). */
    static NDArray take(NDArray x, int axis, NDArray indices) {
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < axis; i++) {
            pattern.append(":, ");
        }
        pattern.append("{}");
        return x.get(new NDIndex(pattern.toString(), indices));
    }

    static NDArray take(NDArray x, int axis, long[] positions) {
        return take(x, axis, x.getManager().create(positions));
    }
}
