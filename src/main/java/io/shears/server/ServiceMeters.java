package io.shears.server;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.shears.Role;
import io.shears.ShearsApplication;
import io.shears.config.ShearsProperties;
import org.springframework.boot.health.contributor.Status;
import org.springframework.stereotype.Component;

/**
 * Meters of the process itself: {@code shears_build_info} (always 1; its labels say which build runs in which role),
 * and, on processes that run jobs, {@code shears_worker_ready} (1 once the engine is up), which an alert sums over
 * workers.
 */
@Component
class ServiceMeters {
    ServiceMeters(MeterRegistry registry, ShearsProperties properties, EngineReadiness engine) {
        Role role = properties.role() == null ? Role.ALL : properties.role();
        String version = ShearsApplication.class.getPackage().getImplementationVersion();
        Gauge.builder("shears.build.info", () -> 1).description("the running build; the value is always 1")
                .tag("version", version == null ? "unknown" : version)
                .tag("java", System.getProperty("java.version", "unknown"))
                .tag("role", role.name().toLowerCase(java.util.Locale.ROOT)).register(registry);
        if (role.runsJobs()) {
            Gauge.builder("shears.worker.ready", engine, e -> Status.UP.equals(e.health().getStatus()) ? 1 : 0)
                    .description("1 when this worker's engine is ready to run jobs").register(registry);
        }
    }
}
