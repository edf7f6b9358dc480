package io.shears.onnx;

import ai.onnx.proto.OnnxMl.ModelProto;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.shears.pruning.Budget;
import io.shears.pruning.BudgetUnreachableException;
import io.shears.pruning.InvalidPruningOptionsException;
import io.shears.pruning.ModelInspection;
import io.shears.pruning.Pruner;
import io.shears.pruning.PruningOptions;
import io.shears.testing.FuzzInput;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Any bytes uploaded as a model, through what an upload and a job do with them: read (plain .onnx, zip or tar.gz
 * bundle), shape inference, cost and channel analysis, then pruning to half the MACs. Every input must end in a
 * result or in one of the named refusals the service turns into problem+json; anything else (a
 * NullPointerException, an index out of bounds, an arithmetic overflow, an OutOfMemoryError) is a finding, and so is
 * an input that runs over the timeout or allocates past {@link #MAX_ALLOCATED_BYTES}.
 *
 * <p>A normal build runs this over the committed corpus in {@code ModelUploadFuzzTestInputs/modelUpload} only;
 * {@code bench/fuzz.sh} fuzzes it. {@link #main} rewrites the seeds of that corpus from the test graphs and the
 * smallest torchvision fixture.
 */
class ModelUploadFuzzTest {
    /** Well above what the largest seed needs (a 460 KB SqueezeNet, pruned), far below a forged multi-GB tensor. */
    static final long MAX_ALLOCATED_BYTES = 1L << 30;

    private static final ModelLimits LIMITS = ModelLimits.defaults().withMaxBytes(64L << 20);

    @Timeout(10)
    @FuzzTest
    void modelUpload(byte[] bytes) throws IOException {
        FuzzInput.read(bytes, "upload.onnx", MAX_ALLOCATED_BYTES, file -> {
            try {
                ModelProto model = new ModelReader(LIMITS).read(file);
                ModelInspection.of(model, PruningOptions.defaults());
                Pruner.prune(model, new Budget.Fraction(0.5), PruningOptions.defaults());
            } catch (InvalidModelException | BudgetUnreachableException | InvalidPruningOptionsException refused) {
                // a named refusal is the right answer to a broken model
            }
        });
    }

    /** Writes the seed corpus: small graphs of every structure, plain and as zip / tar.gz bundles. */
    public static void main(String[] args) throws IOException {
        Path corpus = Path.of("src/test/resources/io/shears/onnx/ModelUploadFuzzTestInputs/modelUpload");
        Files.createDirectories(corpus);
        seed(corpus, "resnet-basic-blocks-op13.onnx", TestGraphs.resnetBasicBlocks().buildBytes(13));
        seed(corpus, "mobilenet-inverted-residual-op17.onnx", TestGraphs.mobilenetInvertedResidual().buildBytes(17));
        seed(corpus, "densenet-concat-op13.onnx", TestGraphs.denseNetConcat().buildBytes(13));
        seed(corpus, "squeeze-excitation-op13.onnx", TestGraphs.squeezeExcitation().buildBytes(13));
        seed(corpus, "split-and-slice-op13.onnx", TestGraphs.splitAndSlice().buildBytes(13));
        seed(corpus, "flatten-gemm-op13.onnx", TestGraphs.flattenGemm().buildBytes(13));
        seed(corpus, "shape-ops-zoo-op13.onnx", TestGraphs.shapeOpsZoo().buildBytes(13));
        seed(corpus, "grouped-conv-op13.onnx", TestGraphs.groupedConv().buildBytes(13));

        ModelProto original = TestGraphs.resnetBottleneck().build(13);
        ByteArrayOutputStream weights = new ByteArrayOutputStream();
        byte[] external = ModelWriter.toBytes(Protos.externalize(original, "weights.bin", weights, 0));
        var entries = Archives.entries("model.onnx", external, "weights.bin", weights.toByteArray());
        Path dir = Files.createTempDirectory("seeds");
        seed(corpus, "resnet-bottleneck-external-data.zip",
                Files.readAllBytes(Archives.zip(dir.resolve("bundle.zip"), entries)));
        seed(corpus, "resnet-bottleneck-external-data.tar.gz",
                Files.readAllBytes(Archives.tarGz(dir.resolve("bundle.tar.gz"), entries)));
        seed(corpus, "squeezenet1_1-op13-bnfold.onnx",
                Files.readAllBytes(Path.of("src/test/resources/models/torchvision/squeezenet1_1-op13-bnfold.onnx")));
    }

    private static void seed(Path corpus, String name, byte[] bytes) throws IOException {
        Files.write(corpus.resolve(name), bytes);
    }
}
