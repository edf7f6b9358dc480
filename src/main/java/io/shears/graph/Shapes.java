package io.shears.graph;

import java.util.HashMap;
import java.util.Map;

/** The result of shape inference: a static type for every tensor, and the folded values of small integer tensors. */
public final class Shapes {
    private final Map<String, TensorType> types = new HashMap<>();
    private final Map<String, long[]> intValues = new HashMap<>();

    void put(String tensor, TensorType type) {
        types.put(tensor, type);
    }

    void putValue(String tensor, long[] values) {
        intValues.put(tensor, values);
    }

    public TensorType type(String tensor) {
        return types.get(tensor);
    }

    public long[] dims(String tensor) {
        TensorType t = types.get(tensor);
        return t == null ? null : t.dims();
    }

    /** The folded integer value of a tensor (shape arithmetic, int initializers), or null. */
    public long[] intValue(String tensor) {
        return intValues.get(tensor);
    }

    public boolean has(String tensor) {
        return types.containsKey(tensor);
    }
}
