package io.shears.catalog;

import java.time.Instant;
import java.util.List;

/**
 * An uploaded model as the API shows it: what was analysed at upload, with MACs and FLOPs (= 2 × MACs) at the
 * analysed input shape.
 */
public record ModelView(String id, String name, String sha256, long bytes, int opset, List<TensorInfo> inputs,
                        List<TensorInfo> outputs, long macs, long flops, long params, int prunableGroups,
                        int frozenGroups, List<String> unsupportedOps, Instant createdAt) {

    /** A graph input or output and its static shape as analysed. */
    public record TensorInfo(String name, List<Long> shape) {
    }
}
