package io.shears.pruning;

/** Size and compute of one model. FLOPs are 2 × MACs, counted over Conv, ConvTranspose, Gemm and MatMul. */
public record ModelTotals(long macs, long flops, long params, long bytes) {
    static ModelTotals of(long macs, long params, long bytes) {
        return new ModelTotals(macs, 2 * macs, params, bytes);
    }
}
