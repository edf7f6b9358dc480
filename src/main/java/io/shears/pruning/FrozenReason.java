package io.shears.pruning;

/**
 * One reason that keeps channel groups from being pruned, with how much of the model it holds fixed.
 *
 * @param reason       the reason with node names left out, so that the same cause at many nodes reads as one
 * @param groups       frozen groups that give this reason (a group frozen for two reasons counts under both)
 * @param channels     the width of those groups: their channels × the positions each spans (a head's width)
 * @param macs         MACs of the layers that produce those groups' channels (see {@link FrozenReasons})
 * @param shareOfMacs  {@code macs} as a fraction of the model's MACs, to four decimals
 */
public record FrozenReason(String reason, int groups, int channels, long macs, double shareOfMacs) {
}
