package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import static io.shears.engine.training.Optimizer.onStep;

/** Adam with β = (0.9, 0.999), ε = 1e-8, bias correction and decoupled weight decay. */
record AdamW(float weightDecay, OptimizerState state) implements Optimizer {
    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;

    @Override
    public void update(String name, NDArray weight, NDArray gradient, NDManager step, float lr, long t) {
        NDArray m = state.zerosLike(name + "#m", weight);
        NDArray v = state.zerosLike(name + "#v", weight);
        m.muli(BETA1).addi(gradient.mul(1 - BETA1));
        v.muli(BETA2).addi(gradient.mul(gradient).muli(1 - BETA2));
        double c1 = 1 - Math.pow(BETA1, t);
        double c2 = 1 - Math.pow(BETA2, t);
        NDArray denominator = onStep(v.div((float) c2), step).sqrt().addi(EPSILON);
        NDArray delta = onStep(m.div((float) c1), step).divi(denominator).muli(lr);
        if (weightDecay > 0) {
            delta.addi(onStep(weight.mul(lr * weightDecay), step));
        }
        weight.subi(delta);
    }
}
