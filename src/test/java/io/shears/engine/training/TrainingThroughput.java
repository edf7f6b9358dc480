package io.shears.engine.training;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import io.shears.onnx.ModelReader;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Benchmark harness, not a test: training steps per second of an ONNX model in the interpreter (forward in training
 * mode, softmax cross-entropy, backward, plain SGD update, gradients zeroed), one NDManager scope per step. Run by
 * bench/train-throughput-resnet18.sh, which runs PyTorch eager on the same shapes beside it.
 *
 * <p>Arguments: MODEL BATCH SIZE WARMUP STEPS. Prints one line: {@code images_per_second=... step_ms_median=...}.
 */
public final class TrainingThroughput {
    private TrainingThroughput() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        int batch = Integer.parseInt(args[1]);
        int size = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int steps = Integer.parseInt(args[4]);
        EngineInfo info = EngineSetup.start(EngineSettings.fromSystemProperties());
        ModelProto proto = new ModelReader().read(model);
        long[] shape = {batch, 3, size, size};
        float[] input = new float[batch * 3 * size * size];
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < input.length; i++) {
            input[i] = (float) random.nextGaussian();
        }
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = random.nextInt(1000);
        }
        double[] ms = new double[steps];
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(proto, manager)) {
            List<Parameter> trainable = block.getParameters().values().stream().filter(Parameter::requiresGradient).toList();
            Loss loss = Loss.softmaxCrossEntropyLoss();
            for (int step = 0; step < warmup + steps; step++) {
                long start = System.nanoTime();
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(input, new Shape(shape));
                    NDArray y = scope.create(labels, new Shape(batch));
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray value = loss.evaluate(new NDList(y),
                                block.forward(new ParameterStore(scope, false), new NDList(x), true));
                        collector.backward(value);
                        try (NoGradScope noGrad = NoGradScope.open()) {
                            for (Parameter p : trainable) {
                                NDArray gradient = p.getArray().getGradient();
                                gradient.attach(scope);
                                p.getArray().subi(gradient.mul(0.01f));
                                // as the reference's optimizer.zero_grad(): without it gradients add up over steps
                                JniUtils.zeroGrad((PtNDArray) p.getArray());
                            }
                        }
                    }
                }
                if (step >= warmup) {
                    ms[step - warmup] = (System.nanoTime() - start) / 1e6;
                }
            }
        }
        Arrays.sort(ms);
        double median = ms[ms.length / 2];
        System.out.printf(java.util.Locale.ROOT, "images_per_second=%.2f step_ms_median=%.1f engine=%s%n",
                batch * 1000.0 / median, median, info);
    }
}
