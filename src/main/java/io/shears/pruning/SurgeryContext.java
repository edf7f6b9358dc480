package io.shears.pruning;

import io.shears.graph.Node;

/** What a {@link ChannelRule#rewrite} sees during surgery: which channel positions survive, and how to edit. */
interface SurgeryContext {
    /** The layout the analysis found for a tensor, or null. */
    Layout layout(String tensor);

    /** For each position of the tensor's layout, whether it is kept. */
    boolean[] kept(String tensor);

    default int keptCount(String tensor) {
        int n = 0;
        for (boolean k : kept(tensor)) {
            n += k ? 1 : 0;
        }
        return n;
    }

    long[] originalDims(String tensor);

    long[] storedInts(String tensor);

    void setIntAttribute(Node node, String name, long value);

    void setIntsAttribute(Node node, String name, long[] values);

    /** Replaces the value of a stored integer tensor (initializer or Constant) that only this node reads. */
    void replaceStoredInts(String tensor, long[] values);

    /** Replaces one entry of a stored integer tensor (a channel count spelled out in a shape or sizes input). */
    default void replaceStoredEntry(String tensor, int index, long value) {
        long[] updated = storedInts(tensor).clone();
        updated[index] = value;
        replaceStoredInts(tensor, updated);
    }
}
