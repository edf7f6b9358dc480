package io.shears.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.shears.pruning.Budget;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.InvalidPruningOptionsException;
import io.shears.pruning.ModelInspection;
import io.shears.pruning.ModelTotals;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningOptions;
import io.shears.testing.FuzzedUpload;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Any bytes uploaded as a model, through what an upload and a job do with them: read (plain .onnx, zip or tar.gz
 * bundle), shape inference, cost and channel analysis, then pruning to half the MACs. Every input must end in a
 * result (whose cost is not negative) or in one of the named refusals the service turns into problem+json; anything
 * else (a NullPointerException, an index out of bounds, an arithmetic overflow, an OutOfMemoryError) is a finding, and
 * so is an input that takes longer than {@link FuzzedUpload#MAX_TIME} or allocates past {@link #MAX_ALLOCATED_BYTES}.
 *
 * <p>A normal build runs each target in regression mode only: over its committed corpus in {@code
 * ModelUploadFuzzTestInputs/<method>/} (seeds, and every input that ever failed) and its method source's seeds.
 * {@code bench/fuzz.sh} fuzzes them.
 */
@Tag("fuzz")
class ModelUploadFuzzTest {
    /**
     * What one input may allocate. The seeds need at most 20 MB each once the classes they use are loaded (the
     * warm-up loads them: Jazzer instruments a class on the thread that loads it, and that allocates too); a forged
     * dimension that makes a reader size an array from it needs far more.
     */
    static final long MAX_ALLOCATED_BYTES = 512L << 20;

    private static final ModelLimits LIMITS = ModelLimits.defaults().withMaxBytes(64L << 20);
    private static final FuzzedUpload UPLOAD = new FuzzedUpload("upload.onnx", MAX_ALLOCATED_BYTES,
            ModelUploadFuzzTest::upload);

    @BeforeAll
    static void loadTheClassesTheSeedsUse() throws IOException {
        UPLOAD.loadClasses(seeds().values());
    }

    @FuzzTest
    void modelUpload(byte[] bytes) throws IOException {
        UPLOAD.read(bytes);
    }

    /**
     * The same path, but the fuzzer mutates the model's protobuf structure (nodes, attributes, dims, tensors) rather
     * than its bytes, so that nearly every input parses and reaches shape inference and the pruner.
     */
    @MethodSource("seedModels")
    @FuzzTest
    void modelStructure(@NotNull ModelProto model) throws IOException {
        UPLOAD.read(model.toByteArray());
    }

    static Stream<ModelProto> seedModels() throws IOException {
        List<ModelProto> models = new ArrayList<>();
        for (Map.Entry<String, byte[]> seed : seeds().entrySet()) {
            if (seed.getKey().endsWith(".onnx") && seed.getValue().length < 100_000) {
                models.add(ModelProto.parseFrom(seed.getValue()));
            }
        }
        return models.stream();
    }

    private static void upload(Path file) {
        try {
            ModelProto model = new ModelReader(LIMITS).read(file);
            ModelTotals totals = ModelInspection.of(model, PruningOptions.defaults()).totals();
            if (totals.macs() < 0 || totals.flops() < 0 || totals.params() < 0) {
                // an overflow the analysis did not notice: the upload would report it, and the solver aim at it
                throw new AssertionError("the analysis reports a negative cost: " + totals);
            }
            Pruner.prune(model, new Budget.Fraction(0.5), PruningOptions.defaults());
        } catch (InvalidModelException | BudgetUnreachableException | InvalidPruningOptionsException refused) {
            // a named refusal is the right answer to a broken model
        }
    }

    /** Rewrites the seeds of the corpus; run from the project directory. */
    public static void main(String[] args) throws IOException {
        FuzzedUpload.writeSeeds(Path.of("src/test/resources/io/shears/onnx/ModelUploadFuzzTestInputs/modelUpload"),
                seeds());
    }

    /** Small graphs of every structure the pruner handles, plain and as zip / tar.gz bundles, and a real network. */
    private static Map<String, byte[]> seeds() throws IOException {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("resnet-basic-blocks-op13.onnx", TestGraphs.resnetBasicBlocks().buildBytes(13));
        seeds.put("mobilenet-inverted-residual-op17.onnx", TestGraphs.mobilenetInvertedResidual().buildBytes(17));
        seeds.put("densenet-concat-op13.onnx", TestGraphs.denseNetConcat().buildBytes(13));
        seeds.put("squeeze-excitation-op13.onnx", TestGraphs.squeezeExcitation().buildBytes(13));
        seeds.put("split-and-slice-op13.onnx", TestGraphs.splitAndSlice().buildBytes(13));
        seeds.put("flatten-gemm-op13.onnx", TestGraphs.flattenGemm().buildBytes(13));
        seeds.put("shape-ops-zoo-op13.onnx", TestGraphs.shapeOpsZoo().buildBytes(13));
        seeds.put("grouped-conv-op13.onnx", TestGraphs.groupedConv().buildBytes(13));

        ModelProto original = TestGraphs.resnetBottleneck().build(13);
        ByteArrayOutputStream weights = new ByteArrayOutputStream();
        byte[] external = ModelWriter.toBytes(Protos.externalize(original, "weights.bin", weights, 0));
        var entries = Archives.entries("model.onnx", external, "weights.bin", weights.toByteArray());
        Path dir = Files.createTempDirectory("seeds");
        seeds.put("resnet-bottleneck-external-data.zip",
                Files.readAllBytes(Archives.zip(dir.resolve("bundle.zip"), entries)));
        seeds.put("resnet-bottleneck-external-data.tar.gz",
                Files.readAllBytes(Archives.tarGz(dir.resolve("bundle.tar.gz"), entries)));
        for (String name : List.of("bundle.zip", "bundle.tar.gz", "")) {
            Files.delete(dir.resolve(name));
        }
        seeds.put("squeezenet1_1-op13-bnfold.onnx", Files.readAllBytes(
                Path.of("src/test/resources/models/torchvision/squeezenet1_1-op13-bnfold.onnx")));
        return seeds;
    }
}
