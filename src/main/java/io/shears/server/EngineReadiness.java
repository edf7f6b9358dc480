package io.shears.server;

import io.shears.Role;
import io.shears.config.ShearsProperties;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The {@code engine} health contributor, part of readiness: a process that runs jobs is not ready until DJL's
 * PyTorch engine has loaded. It loads in the background after start-up, so the liveness probe answers meanwhile.
 */
@Component("engine")
public class EngineReadiness implements HealthIndicator {
    private static final Logger log = LoggerFactory.getLogger(EngineReadiness.class);

    private final boolean needed;
    private volatile EngineInfo info;
    private volatile String failure;

    private final EngineSettings settings;

    public EngineReadiness(ShearsProperties properties, EngineSettings settings) {
        Role role = properties.role() == null ? Role.ALL : properties.role();
        this.needed = role.runsJobs();
        this.settings = settings;
    }

    @EventListener(ApplicationReadyEvent.class)
    void startEngine() {
        if (!needed) {
            return;
        }
        Thread t = new Thread(() -> {
            try {
                EngineInfo started = EngineSetup.start(settings);
                // A device that is asked for but absent (gpu on a CPU node) keeps the worker unready.
                var devices = settings.device().workerDevices();
                info = started;
                log.info("Engine ready on {}: {}", devices, info);
            } catch (RuntimeException | LinkageError e) {
                failure = e.getMessage();
                log.error("The engine failed to start; this worker stays unready", e);
            }
        }, "shears-engine-start");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public Health health() {
        if (!needed) {
            return Health.up().withDetail("engine", "not used by this role").build();
        }
        if (info != null) {
            return Health.up().withDetail("engine", info.toString()).build();
        }
        return Health.down().withDetail("engine", failure == null ? "starting" : failure).build();
    }
}
