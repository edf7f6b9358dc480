package io.shears.pipeline;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;

import java.util.Collection;
import java.util.Comparator;
import java.util.Map;

/**
 * The per-field rules written as Bean Validation constraints on {@link JobSpec} (so that the OpenAPI schema shows
 * them), applied here and reported like every other spec refusal: the first bad field by path, named as a JSON path.
 */
final class JobSpecFields {
    private static final ValidatorFactory FACTORY = Validation.buildDefaultValidatorFactory();
    private static final Validator VALIDATOR = FACTORY.getValidator();

    private JobSpecFields() {
    }

    static void check(JobSpec spec) {
        VALIDATOR.validate(spec).stream()
                .min(Comparator.comparing(JobSpecFields::field))
                .ifPresent(v -> {
                    throw new InvalidJobSpecException(field(v), v.getMessage() + ", got " + shown(v.getInvalidValue()));
                });
    }

    /** The JSON path: Bean Validation names a list item {@code sweep.fractions[1].<list element>}. */
    private static String field(ConstraintViolation<JobSpec> violation) {
        return violation.getPropertyPath().toString().replaceAll("\\.<[^>]*>", "");
    }

    private static String shown(Object value) {
        if (value instanceof Collection<?> items) {
            return items.size() + " items";
        }
        if (value instanceof Map<?, ?> entries) {
            return entries.size() + " entries";
        }
        return value instanceof String s ? "'" + s + "'" : String.valueOf(value);
    }
}
