package io.shears.pipeline;

import jakarta.validation.Constraint;
import jakarta.validation.Payload;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The string names a constant of {@link #value()} in its option spelling ("bn-scale", in any case); null passes, so
 * that an absent field gets its default. The allowed values come from the enum alone, for both the check and the
 * OpenAPI schema's {@code enum}.
 */
@Constraint(validatedBy = OptionLabelValidator.class)
@Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER, ElementType.TYPE_USE})
@Retention(RetentionPolicy.RUNTIME)
public @interface OptionLabel {
    Class<? extends Enum<?>> value();

    String message() default "is not an option";

    Class<?>[] groups() default {};

    Class<? extends Payload>[] payload() default {};
}
