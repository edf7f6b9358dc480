package io.shears.pipeline;

import io.shears.engine.training.BatchNormRecalibration;
import io.shears.engine.training.FineTuneSpec;
import io.shears.pruning.HeadReplacement;
import io.shears.pruning.OptionNames;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A fine-tuning or calibration section that names only its dataset runs with the library's defaults, spelled out. */
class JobSpecFineTuneDefaultsTest {
    private static JobSpec.FineTuneSection normalized(String optimizer) {
        JobSpec spec = new JobSpec("m1", JobSpec.BudgetSpec.ofFraction(0.5), null, null, null, null,
                new JobSpec.FineTuneSection("d1", 2, null, optimizer, null, null, null, null, null, null), null,
                null, null);
        return spec.normalized().fineTune();
    }

    @Test
    void aBareSectionGetsTheFineTunersDefaults() {
        FineTuneSpec defaults = FineTuneSpec.defaults();
        JobSpec.FineTuneSection section = normalized(null);

        assertThat(section.optimizer()).isEqualTo("sgd").isEqualTo(OptionNames.label(defaults.optimizer()));
        assertThat(section.learningRate()).isEqualTo(0.01).isEqualTo(defaults.optimizer().defaultLearningRate());
        assertThat(section.batchSize()).isEqualTo(32).isEqualTo(defaults.batchSize());
        assertThat(section.weightDecay()).isEqualTo(0.0).isEqualTo((double) defaults.weightDecay());
        assertThat(section.freeze()).isEqualTo("none").isEqualTo(OptionNames.label(defaults.freeze()));
        assertThat(section.seed()).isEqualTo(0L).isEqualTo(defaults.seed());
        assertThat(section.head()).isEqualTo("auto").isEqualTo(OptionNames.label(HeadReplacement.DEFAULT_MODE));
        assertThat(section.epochs()).isEqualTo(2);
    }

    @Test
    void adamWGetsItsOwnLearningRate() {
        JobSpec.FineTuneSection section = normalized("AdamW");

        assertThat(section.optimizer()).isEqualTo("adamw");
        assertThat(section.learningRate()).isEqualTo(0.001)
                .isEqualTo(FineTuneSpec.OptimizerKind.ADAMW.defaultLearningRate());
    }

    @Test
    void aBareCalibrationSectionRecalibratesOnTheDefaultBatchCount() {
        JobSpec spec = new JobSpec("m1", JobSpec.BudgetSpec.ofFraction(0.5), null, null, null,
                new JobSpec.CalibrationSpec("d1", null), null, null, null, null);

        assertThat(spec.normalized().calibration().batches()).isEqualTo(100)
                .isEqualTo(BatchNormRecalibration.DEFAULT_BATCHES);
    }
}
