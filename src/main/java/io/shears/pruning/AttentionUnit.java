package io.shears.pruning;

/**
 * What one channel of an attention block is. Either way Q, K, V and the output projection stay consistent, and the
 * published model keeps its dynamic batch size.
 */
public enum AttentionUnit {
    /**
     * A whole head: its slices of Q, K and V, of the output projection's inputs and of any per-head table. The
     * default: each kept head keeps the width its kernels were tuned for (64 in most models) and a removed head also
     * removes its share of the softmax, as Torch-Pruning and width-pruning methods do.
     */
    HEADS,
    /** One position of the head width, in every head at once: the head count stays and every head narrows alike. */
    HEAD_WIDTH;

    public static AttentionUnit parse(String s) {
        return OptionNames.parse(AttentionUnit.class, s);
    }

    public String label() {
        return OptionNames.label(this);
    }
}
