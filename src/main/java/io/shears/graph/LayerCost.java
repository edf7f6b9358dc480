package io.shears.graph;

/** One row of the per-layer cost table. FLOPs are reported as 2 × MACs. */
public record LayerCost(String node, String op, long macs, long flops, long params, String outputShape) {
    public static LayerCost of(String node, String op, long macs, long params, String outputShape) {
        return new LayerCost(node, op, macs, 2 * macs, params, outputShape);
    }
}
