package io.shears.graph;

import java.util.List;

/**
 * The compute cost of a model: multiply-accumulates of Conv, ConvTranspose, Gemm and MatMul (FLOPs = 2 × MACs), the
 * number of stored weight elements, and a per-layer table of every node that has either.
 */
public record CostReport(long macs, long params, List<LayerCost> layers) {
    public long flops() {
        return 2 * macs;
    }
}
