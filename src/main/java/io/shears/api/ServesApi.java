package io.shears.api;

import io.shears.Role;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Controllers of the public API exist only in processes whose role serves it (not in {@code worker}). */
final class ServesApi implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        return Role.parse(context.getEnvironment().getProperty(Role.PROPERTY)).servesApi();
    }
}
