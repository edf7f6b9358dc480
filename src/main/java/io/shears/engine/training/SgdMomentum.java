package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

import static io.shears.engine.training.Optimizer.onStep;

/**
 * SGD with PyTorch's momentum rule ({@code buf = m·buf + g}, the first buffer being the gradient itself) and L2
 * weight decay added to the gradient.
 */
record SgdMomentum(float momentum, float weightDecay, OptimizerState state) implements Optimizer {

    @Override
    public void update(String name, NDArray weight, NDArray gradient, NDManager step, float lr, long t) {
        if (weightDecay > 0) {
            gradient.addi(onStep(weight.mul(weightDecay), step));
        }
        NDArray direction = momentum > 0 ? momentumBuffer(name + "#momentum", gradient) : gradient;
        weight.subi(onStep(direction.mul(lr), step));
    }

    private NDArray momentumBuffer(String key, NDArray gradient) {
        NDArray buffer = state.get(key);
        if (buffer == null) {
            return state.keep(key, gradient.duplicate());
        }
        return buffer.muli(momentum).addi(gradient);
    }
}
