package io.shears.pruning;

import java.util.List;
import java.util.Map;

/**
 * Everything that decides what is pruned. The defaults are the paper's setting: filters, l1, uniform, and channel
 * counts rounded to multiples of 8 (what turns fewer MACs into speed on GPUs).
 *
 * @param roundTo             channel counts are kept at multiples of this, counted on a tensor's width (a channel that
 *                            spans several positions, such as one position in every convolution group, counts them all)
 * @param minChannels         the narrowest width a group may keep, counted like {@code roundTo}
 * @param inputShapes         shapes for the model's inputs by name ("" for the only input); dynamic batch defaults to 1
 * @param groupedConvolutions how grouped convolutions lose channels: inside every group (the default) or whole groups
 * @param attentionUnit       what one channel of an attention block is: a whole head (the default) or one position of
 *                            the head width in every head
 */
public record PruningOptions(Scope scope, Criterion criterion, Allocation allocation, int roundTo, int minChannels,
                             double maxFraction, List<String> exclude, long seed, Map<String, long[]> inputShapes,
                             GroupedConvolutions groupedConvolutions, AttentionUnit attentionUnit) {
    public PruningOptions {
        if (roundTo < 1) {
            throw new InvalidPruningOptionsException("round-to must be at least 1, got " + roundTo);
        }
        if (minChannels < 1) {
            throw new InvalidPruningOptionsException("min-channels must be at least 1, got " + minChannels);
        }
        if (!(maxFraction > 0 && maxFraction <= 1)) {
            throw new InvalidPruningOptionsException("max-fraction must be in (0, 1], got " + maxFraction);
        }
        java.util.Objects.requireNonNull(groupedConvolutions, "groupedConvolutions");
        java.util.Objects.requireNonNull(attentionUnit, "attentionUnit");
        exclude = List.copyOf(exclude);
        inputShapes = Map.copyOf(inputShapes);
    }

    public static PruningOptions defaults() {
        return new PruningOptions(Scope.FILTERS, Criterion.L1, Allocation.UNIFORM, 8, 1, 1.0, List.of(), 0L, Map.of(),
                GroupedConvolutions.WITHIN_GROUPS, AttentionUnit.HEADS);
    }

    public PruningOptions withScope(Scope s) {
        return new PruningOptions(s, criterion, allocation, roundTo, minChannels, maxFraction, exclude, seed, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withAllocation(Allocation a) {
        return new PruningOptions(scope, criterion, a, roundTo, minChannels, maxFraction, exclude, seed, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withRoundTo(int r) {
        return new PruningOptions(scope, criterion, allocation, r, minChannels, maxFraction, exclude, seed, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withMinChannels(int m) {
        return new PruningOptions(scope, criterion, allocation, roundTo, m, maxFraction, exclude, seed, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withMaxFraction(double f) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, f, exclude, seed, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withExclude(List<String> names) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, names, seed, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withSeed(long s) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, exclude, s, inputShapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withInputShapes(Map<String, long[]> shapes) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, exclude, seed, shapes,
                groupedConvolutions, attentionUnit);
    }

    public PruningOptions withGroupedConvolutions(GroupedConvolutions g) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, exclude, seed, inputShapes,
                g, attentionUnit);
    }

    public PruningOptions withAttentionUnit(AttentionUnit a) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, exclude, seed, inputShapes,
                groupedConvolutions, a);
    }

    /** Parses a static shape written like {@code 1x3x224x224}. */
    public static long[] parseShape(String dims) {
        try {
            String[] parts = dims.trim().toLowerCase(java.util.Locale.ROOT).split("x");
            long[] out = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = Long.parseLong(parts[i].trim());
                if (out[i] <= 0) {
                    throw new NumberFormatException();
                }
            }
            return out;
        } catch (NumberFormatException e) {
            throw new InvalidPruningOptionsException("input shape '" + dims + "' is not like 1x3x224x224");
        }
    }
}
