package io.shears.engine.interpreter;

import ai.djl.nn.Parameter;

/**
 * What a stored float tensor (initializer or Constant node output) is to the model, read from the operator inputs
 * that consume it. The role decides the DJL {@link Parameter.Type} and whether training updates it.
 */
enum StoredRole {
    WEIGHT(Parameter.Type.WEIGHT, true),
    BIAS(Parameter.Type.BIAS, true),
    GAMMA(Parameter.Type.GAMMA, true),
    BETA(Parameter.Type.BETA, true),
    /** A per-channel scale or offset applied by element-wise arithmetic (layer scale, affine constants). */
    ELEMENTWISE_PARAMETER(Parameter.Type.OTHER, true),
    /** Updated by BatchNormalization in training mode, never by gradients. */
    RUNNING_MEAN(Parameter.Type.RUNNING_MEAN, false),
    RUNNING_VAR(Parameter.Type.RUNNING_VAR, false),
    /** Scalars and operator settings in tensor form: Clip bounds, Resize scales, Pad values, arithmetic scalars. */
    CONSTANT(Parameter.Type.OTHER, false);

    private final Parameter.Type parameterType;
    private final boolean trainable;

    StoredRole(Parameter.Type parameterType, boolean trainable) {
        this.parameterType = parameterType;
        this.trainable = trainable;
    }

    Parameter.Type parameterType() {
        return parameterType;
    }

    boolean trainable() {
        return trainable;
    }

    boolean isRunningStatistic() {
        return this == RUNNING_MEAN || this == RUNNING_VAR;
    }

    /** The role that wins when one tensor is read in several ways: running statistics, then learned, then constant. */
    StoredRole strongest(StoredRole other) {
        if (isRunningStatistic() || other == CONSTANT) {
            return this;
        }
        if (other.isRunningStatistic() || this == CONSTANT) {
            return other;
        }
        return this;
    }
}
