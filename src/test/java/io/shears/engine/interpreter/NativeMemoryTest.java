package io.shears.engine.interpreter;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.engine.Engines;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Native memory stays flat over 1,000 training steps when every step runs in its own NDManager scope: what a step
 * allocates (inputs, activations, loss, gradients' temporaries) is freed when its scope closes. The resident set
 * size is read from /proc, since PyTorch's allocations are invisible to the Java heap.
 */
class NativeMemoryTest {
    private static final int WARM_UP_STEPS = 100;
    private static final int STEPS = 1_000;
    private static final long ALLOWED_GROWTH_BYTES = 48L << 20;

    @BeforeAll
    static void startEngine() {
        Engines.start();
    }

    @Test
    void residentMemoryStaysFlatOverAThousandTrainingSteps() throws IOException {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        long[] shape = TestGraphs.inputShape(4);
        float[] input = OrtRunner.randomInput(3, shape);
        float[] labels = new float[4 * TestGraphs.CLASSES];
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            List<Parameter> trainable = block.getParameters().values().stream().filter(Parameter::requiresGradient).toList();
            long afterWarmUp = 0;
            float firstLoss = Float.NaN;
            float lastLoss = Float.NaN;
            for (int step = 0; step < STEPS; step++) {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray x = scope.create(input, new Shape(shape));
                    NDArray target = scope.create(labels, new Shape(4, TestGraphs.CLASSES));
                    try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                        NDArray loss = Loss.l2Loss().evaluate(new NDList(target),
                                block.forward(new ParameterStore(scope, false), new NDList(x), true));
                        lastLoss = loss.getFloat();
                        collector.backward(loss);
                        try (NoGradScope noGrad = NoGradScope.open()) {
                            for (Parameter p : trainable) {
                                // the gradient handle and the update are the step's, not the parameter's manager's
                                NDArray gradient = p.getArray().getGradient();
                                gradient.attach(scope);
                                p.getArray().subi(gradient.mul(0.001f));
                            }
                        }
                    }
                }
                if (step == 0) {
                    firstLoss = lastLoss;
                }
                if (step == WARM_UP_STEPS - 1) {
                    afterWarmUp = residentBytesAfterGc();
                }
            }
            long growth = residentBytesAfterGc() - afterWarmUp;
            assertThat(lastLoss).as("the steps really trained").isLessThan(firstLoss);
            assertThat(growth).as("RSS growth over steps %d..%d, bytes", WARM_UP_STEPS, STEPS)
                    .isLessThan(ALLOWED_GROWTH_BYTES);
        }
    }

    /**
     * Resident bytes once the garbage collector has run: DJL copies host data through direct buffers, which only a
     * collection frees, so without it the figure measures the collector's schedule rather than a leak.
     */
    private static long residentBytesAfterGc() throws IOException {
        System.gc();
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return residentBytes();
    }

    private static long residentBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
