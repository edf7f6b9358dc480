package io.shears.pipeline;

import io.shears.pruning.OptionNames;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;

import java.util.SortedSet;

/** Checks an {@link OptionLabel} field, naming the allowed values in the refusal. */
public final class OptionLabelValidator implements ConstraintValidator<OptionLabel, String> {
    private Class<? extends Enum<?>> options;

    @Override
    public void initialize(OptionLabel annotation) {
        options = annotation.value();
    }

    @Override
    public boolean isValid(String value, ConstraintValidatorContext context) {
        SortedSet<String> labels = OptionNames.labelsOf(options);
        if (value == null || labels.contains(OptionNames.typed(value))) {
            return true;
        }
        context.disableDefaultConstraintViolation();
        // Labels are lower-case words and dashes, so they cannot be read as message parameters.
        context.buildConstraintViolationWithTemplate("must be one of " + labels).addConstraintViolation();
        return false;
    }
}
