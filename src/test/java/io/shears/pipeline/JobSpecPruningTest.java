package io.shears.pipeline;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job spec's grouped-convolution and attention-unit options: defaults, values, and refusals naming the field. */
class JobSpecPruningTest {
    private static JobSpec spec(String groupedConvolutions) {
        return spec(groupedConvolutions, null);
    }

    private static JobSpec spec(String groupedConvolutions, String attentionUnit) {
        return new JobSpec("m1", new JobSpec.BudgetSpec(null, null, 0.5, null), null,
                new JobSpec.PruningSpec(null, null, null, null, null, null, null, groupedConvolutions, attentionUnit),
                null, null, null, null, null, null);
    }

    @Test
    void attentionUnitDefaultsToHeadsAndTakesHeadWidth() {
        assertThat(spec(null).normalized().pruning().attentionUnit()).isEqualTo("heads");
        assertThat(spec(null, "head-width").normalized().pruning().attentionUnit()).isEqualTo("head-width");
        for (String bad : List.of("head", "")) {
            assertThatThrownBy(() -> spec(null, bad).normalized()).isInstanceOfSatisfying(InvalidJobSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("pruning.attentionUnit"));
        }
    }

    @Test
    void groupedConvolutionsDefaultToWithinGroupsAndTakeWholeGroups() {
        assertThat(spec(null).normalized().pruning().groupedConvolutions()).isEqualTo("within-groups");
        assertThat(new JobSpec("m1", new JobSpec.BudgetSpec(null, null, 0.5, null), null, null, null, null, null, null,
                null, null).normalized().pruning().groupedConvolutions()).isEqualTo("within-groups");
        assertThat(spec("whole-groups").normalized().pruning().groupedConvolutions()).isEqualTo("whole-groups");
    }

    @Test
    void anUnknownModeIsRefusedByField() {
        for (String bad : List.of("some-groups", "")) {
            assertThatThrownBy(() -> spec(bad).normalized()).isInstanceOfSatisfying(InvalidJobSpecException.class,
                    e -> assertThat(e.field()).isEqualTo("pruning.groupedConvolutions"));
        }
    }
}
