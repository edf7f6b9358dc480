package io.shears.cli;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import io.shears.onnx.ModelLimits;
import io.shears.onnx.ModelReader;
import io.shears.onnx.ModelWriter;
import io.shears.testing.OrtRunner;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Runs a single-input model in ONNX Runtime at each given batch size on a seeded random input and prints the first
 * output's shape, one line per batch ({@code batch=2 output=2x1000}), or the failure ({@code batch=2 error=...}) with
 * exit code 1. Not a command of the product: {@code bench/full-size-bars.sh} runs it from the same jar as
 * {@code shears prune}, as {@code bench/prune-resnet50.sh} runs {@link ReadWriteFloor}:
 *
 * <pre>java -Dloader.path=target/test-classes -Dloader.main=io.shears.cli.OrtOutputShapes \
 *     -cp target/shears.jar org.springframework.boot.loader.launch.PropertiesLauncher MODEL 1 2</pre>
 *
 * The input's batch axis is its first; every other axis must be static in the model.
 */
public final class OrtOutputShapes {
    private OrtOutputShapes() {
    }

    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: OrtOutputShapes MODEL BATCH [BATCH...]");
            System.exit(ExitCodes.USAGE);
        }
        ModelProto model = new ModelReader(ModelLimits.defaults().withMaxBytes(ModelLimits.DEFAULT_MAX_BYTES))
                .read(Path.of(args[0]));
        TensorShapeProto declared = model.getGraph().getInput(0).getType().getTensorType().getShape();
        byte[] bytes = ModelWriter.toBytes(model);
        boolean failed = false;
        for (int i = 1; i < args.length; i++) {
            long batch = Long.parseLong(args[i]);
            long[] shape = new long[declared.getDimCount()];
            shape[0] = batch;
            for (int d = 1; d < shape.length; d++) {
                shape[d] = declared.getDim(d).getDimValue();
            }
            try {
                long[] out = OrtRunner.outputShape(bytes, OrtRunner.randomInput(batch, shape), shape);
                System.out.println("batch=" + batch + " output="
                        + Arrays.stream(out).mapToObj(Long::toString).collect(Collectors.joining("x")));
            } catch (RuntimeException e) {
                failed = true;
                System.out.println("batch=" + batch + " error=" + String.valueOf(e.getMessage()).replaceAll("\\s+", " "));
            }
        }
        System.exit(failed ? 1 : 0);
    }
}
