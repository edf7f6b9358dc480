package io.shears.cli;

import io.shears.files.Sha256;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import io.shears.pipeline.ModelLineage;
import io.shears.pipeline.PipelineSettings;
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
@Command(name = "prune", mixinStandardHelpOptions = true, defaultValueProvider = PruningDefaults.class,
        description = "Prune convolution filters zero-shot by weight magnitude to a compute budget.")
final class PruneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT.onnx", description = "where to write the pruned model")
    Path output;

    @ArgGroup(exclusive = true, multiplicity = "1")
    BudgetTarget target;

    @Option(names = "--scope", description = "filters or channels (default ${DEFAULT-VALUE})")
    String scope;

    @Option(names = "--criterion", description = "l1, l2, bn-scale or random (default ${DEFAULT-VALUE})")
    String criterion;

    @Option(names = "--allocation", description = "uniform or global (default ${DEFAULT-VALUE})")
    String allocation;

    @Option(names = "--grouped-convolutions", description = "within-groups (the same channels go in every group) or "
            + "whole-groups (default ${DEFAULT-VALUE})")
    String groupedConvolutions;

    @Option(names = "--attention-unit", description = "heads (whole attention heads go) or head-width (every head "
            + "narrows alike) (default ${DEFAULT-VALUE})")
    String attentionUnit;

    @Option(names = "--round-to", description = "keep channel counts at multiples of N (default ${DEFAULT-VALUE})")
    int roundTo;

    @Option(names = "--min-channels", description = "fewest channels a group keeps (default ${DEFAULT-VALUE})")
    int minChannels;

    @Option(names = "--max-fraction", description = "largest fraction pruned from one group (default ${DEFAULT-VALUE})")
    double maxFraction;

    @Option(names = "--exclude", split = ",", paramLabel = "NODE", description = "node names whose channels are kept")
    List<String> exclude = List.of();

    @Option(names = "--seed", description = "seed of the random criterion (default ${DEFAULT-VALUE})")
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
        Path source = model.existingModel();
        String sourceSha256 = Sha256.of(source);
        // No local keeps the original: once pruned, only the cut model (sharing untouched tensors) stays in heap.
        PruningResult result = Pruner.prune(
                new ModelReader(ModelLimits.defaults().withMaxBytes(model.maxModelBytes)).read(source),
                budget, options);
        ModelLineage lineage = new ModelLineage(PipelineSettings.implementationVersion(), null, sourceSha256,
                source.getFileName().toString(), result.report(), null, null);
        ModelWriter.write(lineage.stamp(result.model()), output);
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
