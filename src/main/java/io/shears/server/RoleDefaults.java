package io.shears.server;

import io.shears.Role;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Map;

/**
 * Turns {@code shears.role} into the JobRunr settings it implies, as the lowest-precedence property source, so an
 * operator's explicit JobRunr setting still wins. Only processes that run jobs start a background job server; every
 * process can enqueue.
 */
public final class RoleDefaults implements EnvironmentPostProcessor {
    static final String SOURCE_NAME = "shearsRoleDefaults";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Role role = Role.parse(environment.getProperty(Role.PROPERTY));
        environment.getPropertySources().addLast(new MapPropertySource(SOURCE_NAME, Map.of(
                "jobrunr.background-job-server.enabled", Boolean.toString(role.runsJobs()),
                "jobrunr.job-scheduler.enabled", "true")));
    }
}
