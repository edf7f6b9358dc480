package io.shears.engine.training;

/**
 * How much a fine-tuning run validates. Validation never changes the trained weights (it runs in inference mode and
 * draws no random numbers), so a plan changes only what is reported and how long a run takes.
 *
 * @param samplesPerEpoch validation samples after each epoch: a seeded sample of the validation split, the same one
 *                        every epoch so that the epochs' figures compare; 0 for no per-epoch validation, and the
 *                        whole split when it has no more samples than this
 * @param finalEvaluation whether the run ends with an evaluation on the whole validation split (the train split when
 *                        there is none); a caller that evaluates the trained model itself turns it off
 */
public record ValidationPlan(int samplesPerEpoch, boolean finalEvaluation) {
    /** The whole validation split after every epoch, and a final evaluation. */
    public static final ValidationPlan WHOLE_SPLIT = new ValidationPlan(Integer.MAX_VALUE, true);

    /** The stream of {@link io.shears.data.Dataset#sample} the per-epoch sample is drawn from. */
    public static final long SAMPLE_STREAM = 1;

    public ValidationPlan {
        if (samplesPerEpoch < 0) {
            throw new IllegalArgumentException("validation samples must be non-negative, is " + samplesPerEpoch);
        }
    }
}
