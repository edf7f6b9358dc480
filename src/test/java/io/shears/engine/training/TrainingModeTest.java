package io.shears.engine.training;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.TrainingConfig;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.conformance.Fixtures;
import io.shears.engine.Engines;
import io.shears.engine.NodeModel;
import io.shears.engine.interpreter.NoGradScope;
import io.shears.engine.interpreter.OnnxInterpreterBlock;
import io.shears.testing.OnnxGraphBuilder;
import io.shears.testing.OrtRunner;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.shears.engine.NodeModel.floatAttr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** BatchNorm statistics, gradients, Dropout and grad mode when the block runs in training mode. */
class TrainingModeTest {
    private static final long N = 4;
    private static final long C = 2;
    private static final long H = 3;
    private static final long W = 3;
    private static final float[] GAMMA = {1.5f, 0.5f};
    private static final float[] BETA = {0.1f, -0.2f};
    private static final float[] MEAN = {0.3f, -0.4f};
    private static final float[] VAR = {2.0f, 0.5f};

    @BeforeAll
    static void startEngine() {
        Engines.start();
    }

    private static ModelProto batchNormModel(Float momentum) {
        NodeModel m = new NodeModel(1, N, C, H, W);
        List<String> inputs = List.of(NodeModel.INPUT, m.floats("gamma", new long[] {C}, GAMMA),
                m.floats("beta", new long[] {C}, BETA), m.floats("mean", new long[] {C}, MEAN),
                m.floats("var", new long[] {C}, VAR));
        if (momentum == null) {
            m.single("BatchNormalization", inputs, floatAttr("epsilon", 1e-5f));
        } else {
            m.single("BatchNormalization", inputs, floatAttr("epsilon", 1e-5f), floatAttr("momentum", momentum));
        }
        return m.build(15);
    }

    /**
     * ONNX: running = momentum * running + (1 - momentum) * batch statistic, PyTorch's rule with PyTorch's momentum
     * 1 - ONNX's; the variance that enters the running value is the unbiased one, the one that normalises is biased.
     */
    @Test
    void oneTrainingForwardUpdatesRunningStatisticsAsOnnxAndPyTorchDefine() {
        float momentum = 0.8f;
        float[] x = OrtRunner.randomInput(5, N, C, H, W);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(batchNormModel(momentum), manager)) {
            NDArray input = manager.create(x, new Shape(N, C, H, W));
            float[] y = block.forward(new ParameterStore(manager, false), new NDList(input), true).head()
                    .toFloatArray();

            long count = N * H * W;
            for (int c = 0; c < C; c++) {
                double sum = 0;
                for (int n = 0; n < N; n++) {
                    for (int i = 0; i < H * W; i++) {
                        sum += x[(int) ((n * C + c) * H * W + i)];
                    }
                }
                double mean = sum / count;
                double squares = 0;
                for (int n = 0; n < N; n++) {
                    for (int i = 0; i < H * W; i++) {
                        double d = x[(int) ((n * C + c) * H * W + i)] - mean;
                        squares += d * d;
                    }
                }
                double biased = squares / count;
                double unbiased = squares / (count - 1);
                float[] runningMean = block.parameter("mean").getArray().toFloatArray();
                float[] runningVar = block.parameter("var").getArray().toFloatArray();
                assertThat((double) runningMean[c]).as("running mean of channel " + c)
                        .isCloseTo(momentum * MEAN[c] + (1 - momentum) * mean, within(1e-6));
                assertThat((double) runningVar[c]).as("running variance of channel " + c)
                        .isCloseTo(momentum * VAR[c] + (1 - momentum) * unbiased, within(1e-6));
                for (int n = 0; n < N; n++) {
                    for (int i = 0; i < H * W; i++) {
                        int at = (int) ((n * C + c) * H * W + i);
                        double expected = (x[at] - mean) / Math.sqrt(biased + 1e-5) * GAMMA[c] + BETA[c];
                        assertThat((double) y[at]).as("output normalised by the batch")
                                .isCloseTo(expected, within(1e-5));
                    }
                }
            }
        }
    }

    @Test
    void theDefaultMomentumIsOnnxs0point9AndInferenceLeavesStatisticsAlone() {
        float[] x = OrtRunner.randomInput(6, N, C, H, W);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(batchNormModel(null), manager)) {
            NDArray input = manager.create(x, new Shape(N, C, H, W));
            block.infer(new NDList(input));
            assertThat(block.parameter("mean").getArray().toFloatArray()).containsExactly(MEAN);
            assertThat(block.parameter("var").getArray().toFloatArray()).containsExactly(VAR);

            block.forward(new ParameterStore(manager, false), new NDList(input), true);
            double mean0 = 0;
            for (int n = 0; n < N; n++) {
                for (int i = 0; i < H * W; i++) {
                    mean0 += x[(int) (n * C * H * W + i)];
                }
            }
            mean0 /= N * H * W;
            assertThat((double) block.parameter("mean").getArray().toFloatArray()[0])
                    .isCloseTo(0.9 * MEAN[0] + 0.1 * mean0, within(1e-6));
            assertThat(block.parameter("mean").requiresGradient()).isFalse();
            assertThat(block.parameter("var").requiresGradient()).isFalse();
            assertThat(block.parameter("gamma").requiresGradient()).isTrue();
            assertThat(block.parameter("mean").getType()).isEqualTo(Parameter.Type.RUNNING_MEAN);
            assertThat(block.parameter("var").getType()).isEqualTo(Parameter.Type.RUNNING_VAR);
        }
    }

    private record Factory(String name, Supplier<ModelProto> model, long[] inputShape) {
        static Factory of(String name, Supplier<OnnxGraphBuilder> builder) {
            return new Factory(name, () -> {
                OnnxGraphBuilder b = builder.get();
                return b.build(Math.max(b.minimumOpset(), 14));
            }, TestGraphs.inputShape(8));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Test graphs, and the transformer fixtures (LayerNormalization, attention, Swin's ScatterND mask; the hub-style
     * fused qkv, distillation token and token mixing).
     */
    static Stream<Factory> trainableGraphs() {
        return Stream.concat(Stream.of(Factory.of("resnetBasicBlocks", TestGraphs::resnetBasicBlocks),
                Factory.of("paddleConstantWeights", TestGraphs::paddleConstantWeights),
                Factory.of("identityAliasedWeights", TestGraphs::identityAliasedWeights),
                Factory.of("channelConstantOps", TestGraphs::channelConstantOps),
                Factory.of("shapeOpsZoo", TestGraphs::shapeOpsZoo),
                Factory.of("activationZoo", TestGraphs::activationZoo)),
                Stream.concat(Fixtures.transformers().stream(), Fixtures.hub().stream())
                        .map(f -> new Factory(f.name(), f::model, f.inputShape(8))));
    }

    /**
     * Under a GradientCollector every trainable parameter (Constant-node weights and weights reached through Identity
     * aliases included) receives a gradient, and a small SGD step lowers the loss on the same batch.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trainableGraphs")
    void gradientsReachEveryTrainableParameterAndAnSgdStepLowersTheLoss(Factory factory) {
        ModelProto model = factory.model().get();
        long[] shape = factory.inputShape();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            NDArray x = manager.create(OrtRunner.randomInput(11, shape), new Shape(shape));
            ParameterStore store = new ParameterStore(manager, false);
            Loss loss = Loss.l2Loss();
            NDArray target;
            float before;
            try (NoGradScope noGrad = NoGradScope.open()) {
                Shape outputShape = block.forward(store, new NDList(x), true).head().getShape();
                target = manager.create(OrtRunner.randomInput(12, outputShape.getShape()), outputShape);
            }
            // the same seed before both forwards gives Dropout (shapeOpsZoo has one) the same mask in both
            Engine.getInstance().setRandomSeed(7);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = loss.evaluate(new NDList(target), block.forward(store, new NDList(x), true));
                before = value.getFloat();
                collector.backward(value);
                List<Parameter> trainable = block.getParameters().values().stream()
                        .filter(Parameter::requiresGradient).toList();
                assertThat(trainable).isNotEmpty();
                for (Parameter p : trainable) {
                    NDArray gradient = p.getArray().getGradient();
                    assertThat(gradient.abs().sum().getFloat()).as("gradient of " + p.getName()).isGreaterThan(0f);
                }
                try (NoGradScope noGrad = NoGradScope.open()) {
                    for (Parameter p : trainable) {
                        p.getArray().subi(p.getArray().getGradient().mul(0.01f));
                    }
                }
            }
            float after;
            Engine.getInstance().setRandomSeed(7);
            try (NoGradScope noGrad = NoGradScope.open()) {
                after = loss.evaluate(new NDList(target), block.forward(store, new NDList(x), true)).getFloat();
            }
            assertThat(after).as(factory + ": loss after one SGD step").isLessThan(before);
        }
    }

    /** The block also trains the standard DJL way: Model, Trainer, its parameter store and optimizer. */
    @Test
    void aDjlTrainerTrainsTheBlock() {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        long[] shape = TestGraphs.inputShape(8);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager);
             Model djlModel = Model.newInstance("interpreter")) {
            djlModel.setBlock(block);
            TrainingConfig config = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.sgd().setLearningRateTracker(Tracker.fixed(0.1f)).build());
            NDArray x = manager.create(OrtRunner.randomInput(4, shape), new Shape(shape));
            NDArray labels = manager.create(new float[] {0, 1, 2, 3, 4, 5, 6, 7});
            float first = 0;
            float last = 0;
            try (Trainer trainer = djlModel.newTrainer(config)) {
                trainer.initialize(new Shape(shape));
                for (int step = 0; step < 5; step++) {
                    try (GradientCollector collector = trainer.newGradientCollector()) {
                        NDArray value = trainer.getLoss().evaluate(new NDList(labels), trainer.forward(new NDList(x)));
                        last = value.getFloat();
                        first = step == 0 ? last : first;
                        collector.backward(value);
                    }
                    trainer.step();
                }
            }
            assertThat(last).isLessThan(first);
            assertThat(block.exportModel().getGraph().getInitializerCount())
                    .isEqualTo(model.getGraph().getInitializerCount());
        }
    }

    @Test
    void dropoutDropsOnlyInTraining() {
        NodeModel m = new NodeModel(1, 64, 64);
        m.single("Dropout", List.of(NodeModel.INPUT, m.scalar("ratio", 0.25f)));
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(m.build(13), manager)) {
            NDArray x = manager.ones(new Shape(64, 64));
            assertThat(block.infer(new NDList(x)).head().toFloatArray()).containsOnly(1f);
            float[] trained = block.forward(new ParameterStore(manager, false), new NDList(x), true).head()
                    .toFloatArray();
            long dropped = 0;
            for (float v : trained) {
                assertThat(v).isIn(0f, 1f / 0.75f);
                dropped += v == 0f ? 1 : 0;
            }
            assertThat(dropped / (double) trained.length).isCloseTo(0.25, within(0.05));
        }
    }

    /** PyTorch records gradients in every fresh thread; infer turns that off for its own run and restores it. */
    @Test
    void inferDoesNotRecordGradientsOnAFreshThread() throws Exception {
        ModelProto model = TestGraphs.resnetBasicBlocks().build(13);
        long[] shape = TestGraphs.inputShape(2);
        ExecutorService freshThread = Executors.newSingleThreadExecutor();
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            boolean[] observed = CompletableFuture.supplyAsync(() -> {
                try (NDManager local = manager.newSubManager()) {
                    boolean freshThreadRecords = NoGradScope.gradientsRecorded();
                    NDArray x = local.create(OrtRunner.randomInput(1, shape), new Shape(shape));
                    NDArray inferred = block.infer(new NDList(x)).head();
                    boolean restored = NoGradScope.gradientsRecorded();
                    NDArray plain = block.forward(new ParameterStore(local, false), new NDList(x), false).head();
                    return new boolean[] {freshThreadRecords, hasAutogradGraph(plain), hasAutogradGraph(inferred),
                        restored};
                }
            }, freshThread).get();
            assertThat(observed[0]).as("a fresh thread records gradients").isTrue();
            assertThat(observed[1]).as("so a plain forward there builds an autograd graph").isTrue();
            assertThat(observed[2]).as("infer does not").isFalse();
            assertThat(observed[3]).as("and infer restores the thread's grad mode").isTrue();
        } finally {
            freshThread.shutdown();
        }
    }

    /** Whether backward can run from this array, i.e. whether the forward that made it recorded a graph. */
    private static boolean hasAutogradGraph(NDArray output) {
        NDArray sum = output.sum();
        try {
            JniUtils.backward((PtNDArray) sum, (PtNDArray) sum.onesLike(), false, false);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    @Test
    void aForwardLeavesOnlyItsOutputsOnTheCallersManager() {
        ModelProto model = TestGraphs.shapeOpsZoo().build(13);
        long[] shape = TestGraphs.inputShape(2);
        try (NDManager manager = NDManager.newBaseManager();
             OnnxInterpreterBlock block = new OnnxInterpreterBlock(model, manager)) {
            NDArray x = manager.create(OrtRunner.randomInput(1, shape), new Shape(shape));
            int before = manager.getManagedArrays().size();
            block.infer(new NDList(x));
            assertThat(manager.getManagedArrays()).as("after inference").hasSize(before + 1);
            block.forward(new ParameterStore(manager, false), new NDList(x), true);
            assertThat(manager.getManagedArrays()).as("after a training forward").hasSize(before + 2);
        }
    }
}
