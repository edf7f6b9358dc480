package io.shears.onnx;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

class ModelLimitsTest {
    private final ModelLimits limits = new ModelLimits(1000, 100, 1000);

    @Test
    void defaultsAreTwoGigabytesAndSaneShapes() {
        ModelLimits d = ModelLimits.defaults();

        assertThat(d.maxBytes()).isEqualTo(2L << 30);
        assertThat(d.maxDimension()).isEqualTo(1L << 24);
        assertThat(d.maxElements()).isEqualTo(1L << 31);
        assertThat(d.withMaxBytes(5)).isEqualTo(new ModelLimits(5, 1L << 24, 1L << 31));
    }

    @Test
    void acceptsShapesWithinTheLimits() {
        assertThatCode(() -> {
            limits.checkShape("a", new long[] {100, 10});
            limits.checkShape("b", new long[] {});
            limits.checkShape("c", new long[] {0, 100, 100, 100});
            limits.checkShape("d", new long[] {1, 1, 1000 / 100, 100});
        }).doesNotThrowAnyException();
    }

    @Test
    void refusesANegativeDimension() {
        assertAbsurd(new long[] {3, -1}, "weight 'w'", "-1");
    }

    @Test
    void refusesADimensionAboveTheLimit() {
        assertAbsurd(new long[] {101}, "weight 'w'", "101");
    }

    @Test
    void refusesTooManyElements() {
        assertAbsurd(new long[] {100, 11}, "weight 'w'", "1000 elements");
    }

    @Test
    void refusesElementCountsThatWouldOverflowALong() {
        ModelLimits wide = new ModelLimits(1, Long.MAX_VALUE, Long.MAX_VALUE - 1);

        assertThatThrownBy(() -> wide.checkShape("x", new long[] {1L << 40, 1L << 40, 1L << 40}))
                .isInstanceOf(InvalidModelException.class)
                .extracting(e -> ((InvalidModelException) e).problem()).isEqualTo(ModelProblem.ABSURD_DIMENSION);
    }

    private void assertAbsurd(long[] dims, String what, String detail) {
        assertThatThrownBy(() -> limits.checkShape(what, dims))
                .asInstanceOf(type(InvalidModelException.class))
                .satisfies(e -> {
                    assertThat(e.problem()).isEqualTo(ModelProblem.ABSURD_DIMENSION);
                    assertThat(e.getMessage()).contains(what).contains(detail);
                });
    }
}
