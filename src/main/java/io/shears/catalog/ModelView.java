package io.shears.catalog;

import java.time.Instant;
import java.util.List;

/**
 * An uploaded model as the API shows it: what was analysed at upload, with MACs and FLOPs (= 2 × MACs) at the
 * analysed input shape.
 *
 * @param frozenReasons why the frozen groups may not be pruned in scope {@code filters}, most MACs first, at most
 *                      {@link #FROZEN_REASONS_LISTED}; null for a model uploaded before uploads listed them
 */
public record ModelView(String id, String name, String sha256, long bytes, int opset, List<TensorInfo> inputs,
                        List<TensorInfo> outputs, long macs, long flops, long params, int prunableGroups,
                        int frozenGroups, List<FrozenReasonInfo> frozenReasons, List<String> unsupportedOps,
                        Instant createdAt) {
    public static final int FROZEN_REASONS_LISTED = 20;

    /**
     * One reason and the frozen groups that give it.
     *
     * @param macs        MACs of the layers that produce those groups' channels
     * @param shareOfMacs {@code macs} as a fraction of the model's MACs
     */
    public record FrozenReasonInfo(String reason, int groups, int channels, long macs, double shareOfMacs) {
    }

    /** A graph input or output and its static shape as analysed. */
    public record TensorInfo(String name, List<Long> shape) {
    }
}
