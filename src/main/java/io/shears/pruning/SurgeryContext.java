package io.shears.pruning;

import io.shears.graph.Node;
import io.shears.graph.Shapes;

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

    /** Whether the channel an atom belongs to is kept. */
    boolean kept(int atom);

    long[] originalDims(String tensor);

    /** The shapes and values found for the original graph. */
    Shapes shapes();

    /** Where the entries of the original graph's computed shape tensors come from. */
    ShapeEntries entries();

    long[] storedInts(String tensor);

    void setIntAttribute(Node node, String name, long value);

    void setIntsAttribute(Node node, String name, long[] values);

    /** Replaces the value of a stored integer tensor (initializer or Constant) that only this node reads. */
    void replaceStoredInts(String tensor, long[] values);

    /**
     * Points one input of a node at a new stored integer tensor, leaving whatever it read before to its other
     * readers: for a shape entry or bound that was computed, or whose stored tensor other nodes share.
     */
    void replaceInput(Node node, int input, long[] values);

    /** Replaces one entry of a stored integer tensor (a channel count spelled out in a shape or sizes input). */
    default void replaceStoredEntry(String tensor, int index, long value) {
        long[] updated = storedInts(tensor).clone();
        updated[index] = value;
        replaceStoredInts(tensor, updated);
    }
}
