package io.shears.engine.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One update rule applied to each trained parameter in turn, with the state it carries between steps exposed for
 * checkpoints. Updates run in place and without gradient recording; temporaries go onto the step's manager because
 * DJL puts a result on its first operand's manager, which for {@code w * x} is the block's own.
 */
interface Optimizer extends AutoCloseable {

    static Optimizer of(FineTuneSpec spec, NDManager manager) {
        OptimizerState state = new OptimizerState(manager);
        return switch (spec.optimizer()) {
            case SGD -> new SgdMomentum(spec.momentum(), spec.weightDecay(), state);
            case ADAMW -> new AdamW(spec.weightDecay(), state);
        };
    }

    /**
     * Updates {@code weight} from {@code gradient} at learning rate {@code lr} in step {@code t} (1-based). The
     * gradient is on {@code step} and may be changed in place, since it is zeroed right after.
     */
    void update(String name, NDArray weight, NDArray gradient, NDManager step, float lr, long t);

    /** The arrays carried between steps, which a checkpoint saves and restores. */
    OptimizerState state();

    @Override
    default void close() {
        state().close();
    }

    /** Puts a temporary result on the step's manager, so that it is freed with the step. */
    static NDArray onStep(NDArray temporary, NDManager step) {
        temporary.attach(step);
        return temporary;
    }
}
