package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An optimizer's named arrays (momentum buffers, Adam moments) on a manager of their own. The names keep the order in
 * which the arrays were first created, which is the order a checkpoint writes them in.
 */
final class OptimizerState implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> arrays = new LinkedHashMap<>();

    OptimizerState(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** The array named {@code key}, or null before the first step created it. */
    NDArray get(String key) {
        return arrays.get(key);
    }

    /** Moves {@code array} onto the state's manager and keeps it under {@code key}. */
    NDArray keep(String key, NDArray array) {
        array.attach(manager);
        arrays.put(key, array);
        return array;
    }

    /** The array named {@code key}, created as zeros shaped like {@code like} on first use. */
    NDArray zerosLike(String key, NDArray like) {
        NDArray array = arrays.get(key);
        if (array == null) {
            array = manager.zeros(like.getShape(), like.getDataType());
            arrays.put(key, array);
        }
        return array;
    }

    /** Replaces (or adds) the array named {@code key} with the values read from a checkpoint. */
    void restore(String key, float[] values, Shape shape) {
        NDArray old = arrays.put(key, manager.create(values, shape));
        if (old != null) {
            old.close();
        }
    }

    /** Every array by name, in creation order. */
    Map<String, NDArray> arrays() {
        return Collections.unmodifiableMap(arrays);
    }

    @Override
    public void close() {
        arrays.clear();
        manager.close();
    }
}
