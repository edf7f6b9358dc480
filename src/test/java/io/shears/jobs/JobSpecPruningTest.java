package io.shears.jobs;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The job spec's grouped-convolution option: its default, its two values, and a refusal naming the field. */
class JobSpecPruningTest {
    private static JobSpec spec(String groupedConvolutions) {
        return new JobSpec("m1", new JobSpec.BudgetSpec(null, null, 0.5, null), null,
                new JobSpec.PruningSpec(null, null, null, null, null, null, null, groupedConvolutions), null, null,
                null, null, null, null);
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
