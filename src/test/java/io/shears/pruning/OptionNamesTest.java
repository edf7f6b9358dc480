package io.shears.pruning;

import io.shears.engine.training.FineTuneSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OptionNamesTest {
    @Test
    void everyOptionEnumIsSpelledLowerCaseAndDashedAndReadInAnyCase() {
        assertThat(OptionNames.labels(Criterion.class)).containsExactly("bn-scale", "l1", "l2", "random");
        assertThat(OptionNames.find(Criterion.class, " BN-Scale ")).contains(Criterion.BN_SCALE);
        assertThat(OptionNames.find(Criterion.class, "bn_scale")).isEmpty();
        assertThat(FineTuneSpec.OptimizerKind.parse("AdamW")).isEqualTo(FineTuneSpec.OptimizerKind.ADAMW);
        assertThat(FineTuneSpec.Freeze.parse(" backbone")).isEqualTo(FineTuneSpec.Freeze.BACKBONE);
        assertThatThrownBy(() -> FineTuneSpec.OptimizerKind.parse("adam"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[adamw, sgd]");
        assertThatThrownBy(() -> Scope.parse("layers"))
                .isInstanceOf(InvalidPruningOptionsException.class).hasMessageContaining("filters, channels");
    }
}
