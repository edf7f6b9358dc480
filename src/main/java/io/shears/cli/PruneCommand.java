package io.shears.cli;

import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import io.shears.pruning.Allocation;
import io.shears.pruning.Budget;
import io.shears.pruning.Criterion;
import io.shears.pruning.AttentionUnit;
import io.shears.pruning.GroupedConvolutions;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningOptions;
import io.shears.pruning.PruningResult;
import io.shears.pruning.Scope;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code shears prune}: prune a model to a MACs, FLOPs or fraction budget and write the result. */
@Command(name = "prune", mixinStandardHelpOptions = true,
        description = "Prune convolution filters zero-shot by weight magnitude to a compute budget.")
final class PruneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "where to write the pruned model")
    Path output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    static final class Target {
        @Option(names = "--target-macs", paramLabel = "N", description = "absolute multiply-accumulates")
        Long macs;

        @Option(names = "--target-flops", paramLabel = "N", description = "absolute FLOPs (2 x MACs)")
        Long flops;

        @Option(names = "--target-fraction", paramLabel = "F", description = "fraction of the original MACs, in (0, 1]")
        Double fraction;

        Budget budget() {
            if (macs != null) {
                return new Budget.Macs(macs);
            }
            if (flops != null) {
                return new Budget.Flops(flops);
            }
            return new Budget.Fraction(fraction);
        }
    }

    @Option(names = "--scope", defaultValue = "filters", description = "filters (default) or channels")
    String scope;

    @Option(names = "--criterion", defaultValue = "l1", description = "l1 (default), l2, bn-scale or random")
    String criterion;

    @Option(names = "--allocation", defaultValue = "uniform", description = "uniform (default) or global")
    String allocation;

    @Option(names = "--grouped-convolutions", defaultValue = "within-groups",
            description = "within-groups (default: the same channels go in every group) or whole-groups")
    String groupedConvolutions;

    @Option(names = "--attention-unit", defaultValue = "heads",
            description = "heads (default: whole attention heads go) or head-width (every head narrows alike)")
    String attentionUnit;

    @Option(names = "--round-to", defaultValue = "8", description = "keep channel counts at multiples of N (default 8)")
    int roundTo;

    @Option(names = "--min-channels", defaultValue = "1", description = "fewest channels a group keeps (default 1)")
    int minChannels;

    @Option(names = "--max-fraction", defaultValue = "1.0", description = "largest fraction pruned from one group")
    double maxFraction;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "node names whose channels are kept")
    List<String> exclude = List.of();

    @Option(names = "--seed", defaultValue = "0", description = "seed of the random criterion")
    long seed;

    @Option(names = "--report", paramLabel = "REPORT.json", description = "also write the pruning report here")
    Path report;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PruningOptions options = new PruningOptions(Scope.parse(scope), Criterion.parse(criterion),
                Allocation.parse(allocation), roundTo, minChannels, maxFraction, exclude, seed, model.shapes(),
                GroupedConvolutions.parse(groupedConvolutions), AttentionUnit.parse(attentionUnit));
        Budget budget = target.budget();
        // No local keeps the original: once pruned, only the cut model (sharing untouched tensors) stays in heap.
        PruningResult result = Pruner.prune(
                new ModelReader(ModelLimits.defaults().withMaxBytes(model.maxModelBytes)).read(model.existingModel()),
                budget, options);
        ModelWriter.write(result.model(), output);
        String json = JsonOutput.MAPPER.writeValueAsString(result.report());
        if (report != null) {
            Files.writeString(report, json);
        }
        var r = result.report();
        spec.commandLine().getOut().printf(java.util.Locale.ROOT,
                "pruned %s: MACs %d -> %d (%.4f of original, %.4f of target), params %d -> %d, %d ms%n",
                output, r.original().macs(), r.pruned().macs(), r.achievedFraction(), r.ofTarget(),
                r.original().params(), r.pruned().params(), r.timings().totalMs());
        return ExitCodes.OK;
    }
}
