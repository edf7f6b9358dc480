package io.shears.pruning;

import java.util.List;
import java.util.Map;

/**
 * Everything that decides what is pruned. The defaults are the paper's setting: filters, l1, uniform, and channel
 * counts rounded to multiples of 8 (what turns fewer MACs into speed on GPUs).
 *
 * @param inputShapes shapes for the model's inputs by name ("" for the only input); dynamic batch defaults to 1
 */
public record PruningOptions(Scope scope, Criterion criterion, Allocation allocation, int roundTo, int minChannels,
                             double maxFraction, List<String> exclude, long seed, Map<String, long[]> inputShapes) {
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
        exclude = List.copyOf(exclude);
        inputShapes = Map.copyOf(inputShapes);
    }

    public static PruningOptions defaults() {
        return new PruningOptions(Scope.FILTERS, Criterion.L1, Allocation.UNIFORM, 8, 1, 1.0, List.of(), 0L, Map.of());
    }

    public PruningOptions withScope(Scope s) {
        return new PruningOptions(s, criterion, allocation, roundTo, minChannels, maxFraction, exclude, seed, inputShapes);
    }

    public PruningOptions withAllocation(Allocation a) {
        return new PruningOptions(scope, criterion, a, roundTo, minChannels, maxFraction, exclude, seed, inputShapes);
    }

    public PruningOptions withRoundTo(int r) {
        return new PruningOptions(scope, criterion, allocation, r, minChannels, maxFraction, exclude, seed, inputShapes);
    }

    public PruningOptions withMinChannels(int m) {
        return new PruningOptions(scope, criterion, allocation, roundTo, m, maxFraction, exclude, seed, inputShapes);
    }

    public PruningOptions withMaxFraction(double f) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, f, exclude, seed, inputShapes);
    }

    public PruningOptions withExclude(List<String> names) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, names, seed, inputShapes);
    }

    public PruningOptions withSeed(long s) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, exclude, s, inputShapes);
    }

    public PruningOptions withInputShapes(Map<String, long[]> shapes) {
        return new PruningOptions(scope, criterion, allocation, roundTo, minChannels, maxFraction, exclude, seed, shapes);
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
