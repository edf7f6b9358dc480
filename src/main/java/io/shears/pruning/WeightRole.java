package io.shears.pruning;

/** What a weight axis is to the channel it is bound to; importance criteria read some roles and skip others. */
enum WeightRole {
    /** Output channels of a convolution or output features of a linear layer. */
    OUTPUT,
    /** Input channels of a convolution or input features of a linear layer. */
    INPUT,
    BIAS,
    BN_SCALE,
    /** BatchNormalization shift, mean and variance, and per-channel constants of elementwise operators. */
    PER_CHANNEL
}
