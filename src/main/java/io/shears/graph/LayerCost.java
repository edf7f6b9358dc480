package io.shears.graph;

/** One row of the per-layer cost table. FLOPs are reported as 2 × MACs. */
public record LayerCost(String node, String op, long macs, long params, String outputShape) {
    public long flops() {
        return 2 * macs;
    }
}
