package io.shears.cli;

import io.shears.pruning.InvalidPruningOptionsException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Options every command that reads a model shares: the model file and the input shapes. */
final class ModelOptions {
    @Parameters(index = "0", paramLabel = "MODEL", description = "an .onnx file, or a zip / tar.gz bundle with external data")
    Path model;

    @Option(names = "--input-shape", paramLabel = "[NAME:]DxDx..", split = ",",
            description = "static input shape, e.g. 1x3x224x224 (NAME: where the model has several inputs); "
                    + "a dynamic batch defaults to 1")
    List<String> inputShapes = List.of();

    @Option(names = "--max-model-bytes", paramLabel = "BYTES", description = "largest model accepted (default 2 GiB)")
    long maxModelBytes = io.shears.onnx.ModelLimits.DEFAULT_MAX_BYTES;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    Path existingModel() {
        if (!Files.isRegularFile(model)) {
            throw new ParameterException(command.commandLine(), "model file '" + model + "' does not exist");
        }
        return model;
    }

    Map<String, long[]> shapes() {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (String spec : inputShapes) {
            int colon = spec.lastIndexOf(':');
            String name = colon < 0 ? io.shears.graph.ShapeInference.ONLY_INPUT : spec.substring(0, colon);
            out.put(name, io.shears.pruning.PruningOptions.parseShape(spec.substring(colon + 1)));
        }
        return out;
    }
}
