package io.shears.pruning;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Finds how many channels each prunable group keeps so that the model's MACs land at or under the target and as
 * close to it as the channel granularity (round-to, min-channels, max-fraction) allows. A scalar pruning level is
 * bisected (uniform: a fraction of every group; global: a share of all channels ranked together), then groups grow
 * back one allowed step at a time while the budget still holds.
 */
final class BudgetSolver {
    /** The outcome: which channels go, what each group keeps, and the MACs that result. */
    record Plan(boolean[] pruned, int[] keep, long macs, long smallestReachableMacs) {
    }

    private final ChannelAnalysis analysis;
    private final PrunedCost cost;
    private final PruningOptions options;
    private final List<ChannelGroup> groups;
    private final int[][] pruneOrder;
    private final int[][] allowedKeeps;
    private final double[] normalizedScore;

    BudgetSolver(ChannelAnalysis analysis, double[] scores, PrunedCost cost, PruningOptions options) {
        this.analysis = analysis;
        this.cost = cost;
        this.options = options;
        this.groups = analysis.groups();
        this.pruneOrder = new int[groups.size()][];
        this.allowedKeeps = new int[groups.size()][];
        this.normalizedScore = new double[analysis.classCount()];
        for (ChannelGroup g : groups) {
            pruneOrder[g.id()] = g.frozen() ? new int[0] : order(g, scores);
            allowedKeeps[g.id()] = allowed(g, pruneOrder[g.id()].length);
            double mean = Arrays.stream(g.classIds()).mapToDouble(c -> scores[c]).average().orElse(1);
            for (int c : g.classIds()) {
                normalizedScore[c] = mean > 0 ? scores[c] / mean : scores[c];
            }
        }
    }

    /** Least important first; a channel is skipped where removing it would empty a Split or Slice output. */
    private static int[] order(ChannelGroup g, double[] scores) {
        Integer[] local = IntStream.range(0, g.channels()).boxed().toArray(Integer[]::new);
        Arrays.sort(local, Comparator.<Integer>comparingDouble(i -> scores[g.classIds()[i]]).thenComparingInt(i -> i));
        int[] left = g.segments().stream().mapToInt(s -> s.length).toArray();
        List<Integer> sequence = new ArrayList<>();
        for (int i : local) {
            boolean allowed = true;
            for (int s = 0; s < left.length; s++) {
                if (Arrays.binarySearch(g.segments().get(s), i) >= 0 && left[s] <= 1) {
                    allowed = false;
                }
            }
            if (allowed) {
                for (int s = 0; s < left.length; s++) {
                    if (Arrays.binarySearch(g.segments().get(s), i) >= 0) {
                        left[s]--;
                    }
                }
                sequence.add(i);
            }
        }
        return sequence.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * Channel counts a group may keep, ascending: those whose width (kept channels × the group's unit width) is a
     * multiple of round-to and at least min-channels, within max-fraction, and the group's full width.
     */
    private int[] allowed(ChannelGroup g, int prunable) {
        int channels = g.channels();
        if (g.frozen()) {
            return new int[] {channels};
        }
        int low = Math.max((options.minChannels() + g.unitWidth() - 1) / g.unitWidth(), channels - prunable);
        low = Math.max(low, (int) Math.ceil(channels * (1 - options.maxFraction()) - 1e-9));
        low = Math.max(low, 1);
        List<Integer> keeps = new ArrayList<>();
        for (int k = low; k < channels; k++) {
            if (g.width(k) % options.roundTo() == 0) {
                keeps.add(k);
            }
        }
        keeps.add(channels);
        return keeps.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The MACs of the smallest model the options allow: every group cut as far as its bounds let it. */
    long smallestReachableMacs() {
        return cost.macs(mask(keepsAt(1.0)));
    }

    Plan solve(long targetMacs) {
        int[] full = groups.stream().mapToInt(ChannelGroup::channels).toArray();
        long original = cost.macs(mask(full));
        long smallestMacs = smallestReachableMacs();
        if (targetMacs >= original) {
            return new Plan(mask(full), full, original, smallestMacs);
        }
        if (targetMacs < smallestMacs) {
            throw new BudgetUnreachableException(targetMacs, smallestMacs, original);
        }
        double lo = 0;
        double hi = 1;
        for (int i = 0; i < 50; i++) {
            double mid = (lo + hi) / 2;
            if (cost.macs(mask(keepsAt(mid))) <= targetMacs) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        int[] keep = keepsAt(hi);
        long macs = growBack(keep, keepsAt(lo), cost.macs(mask(keep)), targetMacs);
        if (macs < 0.98 * targetMacs) {
            macs = growBack(keep, full, macs, targetMacs);
        }
        return new Plan(mask(keep), keep, macs, smallestMacs);
    }

    /**
     * Gives channels back, most-pruned group first, while the budget holds and no group exceeds {@code ceiling}.
     * The first pass is capped at the keeps of the level just above the budget, so the allocation stays what was
     * asked (uniform stays uniform); only when that lands under 98% of the target does a second pass go further.
     */
    private long growBack(int[] keep, int[] ceiling, long macs, long targetMacs) {
        boolean grew = true;
        while (grew) {
            grew = false;
            Integer[] byPruned = IntStream.range(0, groups.size()).boxed().toArray(Integer[]::new);
            Arrays.sort(byPruned, Comparator.<Integer>comparingDouble(g -> keep[g] / (double) groups.get(g).channels())
                    .thenComparingInt(g -> g));
            for (int g : byPruned) {
                int next = nextAllowed(g, keep[g]);
                if (next == keep[g] || next > ceiling[g]) {
                    continue;
                }
                int previous = keep[g];
                keep[g] = next;
                long candidate = cost.macs(mask(keep));
                if (candidate <= targetMacs) {
                    macs = candidate;
                    grew = true;
                } else {
                    keep[g] = previous;
                }
            }
        }
        return macs;
    }

    private int nextAllowed(int group, int keep) {
        for (int k : allowedKeeps[group]) {
            if (k > keep) {
                return k;
            }
        }
        return keep;
    }

    /** Per-group keeps at pruning level {@code level} in [0, 1]; non-increasing in the level. */
    private int[] keepsAt(double level) {
        int[] keep = new int[groups.size()];
        double threshold = options.allocation() == Allocation.GLOBAL ? globalThreshold(level) : 0;
        for (ChannelGroup g : groups) {
            double desired;
            if (options.allocation() == Allocation.UNIFORM) {
                desired = g.channels() * (1 - level);
            } else {
                long below = Arrays.stream(pruneOrder[g.id()]).filter(i -> normalizedScore[g.classIds()[i]] <= threshold)
                        .count();
                desired = level >= 1 ? 0 : g.channels() - below;
            }
            keep[g.id()] = nearestAllowed(g.id(), desired);
        }
        return keep;
    }

    private double globalThreshold(double level) {
        double[] all = groups.stream().filter(g -> !g.frozen())
                .flatMapToDouble(g -> Arrays.stream(pruneOrder[g.id()]).mapToDouble(i -> normalizedScore[g.classIds()[i]]))
                .sorted().toArray();
        int count = (int) Math.floor(level * all.length);
        return count == 0 ? Double.NEGATIVE_INFINITY : all[count - 1];
    }

    private int nearestAllowed(int group, double desired) {
        int best = allowedKeeps[group][allowedKeeps[group].length - 1];
        double bestDistance = Double.MAX_VALUE;
        for (int k : allowedKeeps[group]) {
            double d = Math.abs(k - desired);
            if (d <= bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return best;
    }

    boolean[] mask(int[] keep) {
        boolean[] pruned = new boolean[analysis.classCount()];
        for (ChannelGroup g : groups) {
            int remove = g.channels() - keep[g.id()];
            for (int i = 0; i < remove; i++) {
                pruned[g.classIds()[pruneOrder[g.id()][i]]] = true;
            }
        }
        return pruned;
    }
}
