package io.shears.cli;

import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.pruning.ModelInspection;
import io.shears.pruning.GroupedConvolutions;
import io.shears.pruning.PruningOptions;
import io.shears.pruning.Scope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code shears inspect}: the cost report and the prunable and frozen channel groups, as JSON. */
@Command(name = "inspect", mixinStandardHelpOptions = true, defaultValueProvider = PruningDefaults.class,
        description = "Print a model's cost (MACs, FLOPs = 2 x MACs, params, per layer) and its channel groups as JSON.")
final class InspectCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--scope", description = "filters or channels (default ${DEFAULT-VALUE})")
    String scope;

    @Option(names = "--grouped-convolutions", description = "within-groups or whole-groups: how grouped convolutions "
            + "would lose channels (default ${DEFAULT-VALUE})")
    String groupedConvolutions;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var proto = new ModelReader(ModelLimits.defaults().withMaxBytes(model.maxModelBytes)).read(model.existingModel());
        PruningOptions options = PruningOptions.defaults().withScope(Scope.parse(scope)).withInputShapes(model.shapes())
                .withGroupedConvolutions(GroupedConvolutions.parse(groupedConvolutions));
        spec.commandLine().getOut().println(JsonOutput.MAPPER.writeValueAsString(ModelInspection.of(proto, options)));
        return ExitCodes.OK;
    }
}
