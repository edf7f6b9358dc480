package io.shears.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.latency.LatencyMeter;
import io.shears.engine.startup.CpuQuota;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code shears latency}: ONNX Runtime inference latency on the CPU, as JSON, per batch size. */
@Command(name = "latency", mixinStandardHelpOptions = true, defaultValueProvider = LatencyCommand.Defaults.class,
        description = "Measure a model's inference latency in ONNX Runtime on the CPU (median after warm-up).")
final class LatencyCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = "--batch", split = ",", description = "batch sizes (default ${DEFAULT-VALUE})")
    List<Integer> batches;

    @Option(names = "--runs", description = "timed runs per batch size (default ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--warmup", description = "discarded runs before timing (default ${DEFAULT-VALUE})")
    int warmup;

    @Option(names = "--threads", description = "ONNX Runtime intra-op threads (default: the CPUs the process may use, its cgroup quota included)")
    Integer threads;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ModelProto proto = new ModelReader(ModelLimits.defaults().withMaxBytes(model.maxModelBytes)).read(model.existingModel());
        Graph graph = new Graph(proto);
        if (graph.inputs().size() != 1) {
            throw new ParameterException(spec.commandLine(), "latency needs a model with one input; this one has "
                    + graph.inputs().size());
        }
        long[] dims = ShapeInference.infer(graph, model.shapes()).dims(graph.inputs().get(0).getName());
        long[] sample = Arrays.copyOfRange(dims, 1, dims.length);
        byte[] bytes = ModelWriter.toBytes(proto);
        int threadCount = threads != null ? threads : CpuQuota.ofThisProcess().threads();
        List<LatencyMeter.Measurement> out = new ArrayList<>();
        for (int batch : batches) {
            out.add(LatencyMeter.measure(bytes, sample, new LatencyMeter.Settings(batch, warmup, runs, threadCount)));
        }
        spec.commandLine().getOut().println(JsonOutput.MAPPER.writeValueAsString(out));
        return ExitCodes.OK;
    }

    /** The measurement's defaults, read from {@link LatencyMeter}, so that this command and a job's benchmark agree. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--batch" -> LatencyMeter.DEFAULT_BATCHES.stream().map(String::valueOf)
                        .collect(Collectors.joining(","));
                case "--runs" -> Integer.toString(LatencyMeter.DEFAULT_RUNS);
                case "--warmup" -> Integer.toString(LatencyMeter.DEFAULT_WARMUP);
                default -> null;
            };
        }
    }
}
