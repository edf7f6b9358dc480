package io.shears.engine.training;

import io.shears.pruning.OptionNames;

import java.util.List;

/**
 * What a fine-tuning run does.
 *
 * @param optimizer      SGD with momentum (the default) or AdamW
 * @param learningRate   peak learning rate, reached at the end of warmup
 * @param momentum       SGD momentum (PyTorch's rule: buf = m·buf + g); ignored by AdamW, which uses β = (0.9, 0.999)
 * @param weightDecay    L2 added to the gradient for SGD, decoupled decay for AdamW
 * @param batchSize      training batch size (the last batch of an epoch may be smaller)
 * @param epochs         number of epochs; with {@code maxTrainFlops} it is the upper bound
 * @param maxTrainFlops  training-FLOP budget (3 × forward FLOPs per sample seen), 0 for none: training stops when
 *                       the next step would exceed it
 * @param warmupEpochs   linear warmup length in epochs (added to {@code warmupSteps})
 * @param warmupSteps    linear warmup length in steps
 * @param freeze         NONE trains every parameter; BACKBONE only the head's (linear probe; runs in inference mode
 *                       so backbone BatchNorm statistics stay as they are)
 * @param headParameters names of the head's parameters for BACKBONE; empty to find them by walking back from the
 *                       output to its Gemm, MatMul(+Add) or Conv
 * @param seed           seeds the engine RNG (Dropout) per epoch as {@code seed + epoch}; the batch order comes from
 *                       the dataset's own seeded per-epoch shuffle
 */
public record FineTuneSpec(OptimizerKind optimizer, float learningRate, float momentum, float weightDecay,
                           int batchSize, int epochs, long maxTrainFlops, int warmupEpochs, int warmupSteps,
                           Freeze freeze, List<String> headParameters, long seed) {

    public enum OptimizerKind {
        SGD(0.01), ADAMW(0.001);

        private final double defaultLearningRate;

        OptimizerKind(double defaultLearningRate) {
            this.defaultLearningRate = defaultLearningRate;
        }

        /** The peak learning rate a run gets when it names none; a double, as a job's spec stores it. */
        public double defaultLearningRate() {
            return defaultLearningRate;
        }

        public static OptimizerKind parse(String text) {
            return OptionNames.find(OptimizerKind.class, text).orElseThrow(() -> new IllegalArgumentException(
                    "optimizer must be one of " + OptionNames.labels(OptimizerKind.class) + "; got '" + text + "'"));
        }
    }

    public enum Freeze {
        NONE, BACKBONE;

        public static Freeze parse(String text) {
            return OptionNames.find(Freeze.class, text).orElseThrow(() -> new IllegalArgumentException(
                    "freeze must be one of " + OptionNames.labels(Freeze.class) + "; got '" + text + "'"));
        }
    }

    public FineTuneSpec {
        if (optimizer == null || freeze == null) {
            throw new IllegalArgumentException("optimizer and freeze are required");
        }
        if (!(learningRate > 0) || !Float.isFinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive, is " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), is " + momentum);
        }
        if (!(weightDecay >= 0) || !Float.isFinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be non-negative, is " + weightDecay);
        }
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, is " + batchSize);
        }
        if (epochs < 1) {
            throw new IllegalArgumentException("epochs must be at least 1, is " + epochs);
        }
        if (maxTrainFlops < 0 || warmupEpochs < 0 || warmupSteps < 0) {
            throw new IllegalArgumentException("maxTrainFlops and warmup must be non-negative");
        }
        headParameters = headParameters == null ? List.of() : List.copyOf(headParameters);
    }

    /**
     * What fine-tuning does unless told otherwise, the one place its defaults are written (a job's spec fills in its
     * left-out fields from here): SGD at its default learning rate, momentum 0.9, no weight decay, batch 32, one
     * epoch, no budget, no warmup, nothing frozen, seed 0.
     */
    public static FineTuneSpec defaults() {
        return defaults(OptimizerKind.SGD);
    }

    /** The defaults with the given optimizer at its own default learning rate. */
    public static FineTuneSpec defaults(OptimizerKind optimizer) {
        return new FineTuneSpec(optimizer, (float) optimizer.defaultLearningRate(), 0.9f, 0f, 32, 1, 0, 0, 0,
                Freeze.NONE, List.of(), 0);
    }

    public FineTuneSpec withLearningRate(float lr) {
        return new FineTuneSpec(optimizer, lr, momentum, weightDecay, batchSize, epochs, maxTrainFlops,
                warmupEpochs, warmupSteps, freeze, headParameters, seed);
    }

    public FineTuneSpec withOptimizer(OptimizerKind o) {
        return new FineTuneSpec(o, learningRate, momentum, weightDecay, batchSize, epochs, maxTrainFlops,
                warmupEpochs, warmupSteps, freeze, headParameters, seed);
    }

    public FineTuneSpec withWeightDecay(float wd) {
        return new FineTuneSpec(optimizer, learningRate, momentum, wd, batchSize, epochs, maxTrainFlops,
                warmupEpochs, warmupSteps, freeze, headParameters, seed);
    }

    public FineTuneSpec withBatchSize(int b) {
        return new FineTuneSpec(optimizer, learningRate, momentum, weightDecay, b, epochs, maxTrainFlops,
                warmupEpochs, warmupSteps, freeze, headParameters, seed);
    }

    public FineTuneSpec withEpochs(int e) {
        return new FineTuneSpec(optimizer, learningRate, momentum, weightDecay, batchSize, e, maxTrainFlops,
                warmupEpochs, warmupSteps, freeze, headParameters, seed);
    }

    public FineTuneSpec withMaxTrainFlops(long budget) {
        return new FineTuneSpec(optimizer, learningRate, momentum, weightDecay, batchSize, epochs, budget,
                warmupEpochs, warmupSteps, freeze, headParameters, seed);
    }

    public FineTuneSpec withWarmup(int epochsOfWarmup, int stepsOfWarmup) {
        return new FineTuneSpec(optimizer, learningRate, momentum, weightDecay, batchSize, epochs, maxTrainFlops,
                epochsOfWarmup, stepsOfWarmup, freeze, headParameters, seed);
    }

    public FineTuneSpec withFreeze(Freeze f, List<String> head) {
        return new FineTuneSpec(optimizer, learningRate, momentum, weightDecay, batchSize, epochs, maxTrainFlops,
                warmupEpochs, warmupSteps, f, head, seed);
    }

    public FineTuneSpec withSeed(long s) {
        return new FineTuneSpec(optimizer, learningRate, momentum, weightDecay, batchSize, epochs, maxTrainFlops,
                warmupEpochs, warmupSteps, freeze, headParameters, s);
    }

    /**
     * Linear warmup then cosine decay to 0: for step {@code s} (0-based) with {@code w} warmup steps of {@code t}
     * total, {@code lr·(s+1)/w} while {@code s < w}, else {@code lr·½(1 + cos(π·(s−w)/max(1, t−w)))}.
     */
    public static double cosineWithWarmup(double lr, long step, long warmup, long total) {
        return new LearningRateSchedule(lr, warmup, total).at(step);
    }
}
