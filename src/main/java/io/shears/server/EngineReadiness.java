package io.shears.server;

import io.shears.Role;
import io.shears.config.ShearsProperties;
import io.shears.engine.EngineWarmUp;
import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import io.shears.engine.startup.JitCompilers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The {@code engine} health contributor, part of readiness: a process that runs jobs is not ready until DJL's
 * PyTorch engine has loaded and has trained and evaluated the warm-up model ({@link EngineWarmUp},
 * {@code shears.engine.warm-up-rounds}). Both happen in the background after start-up, so the liveness probe answers
 * meanwhile. A warm-up that fails is logged and reported in the details, and the process becomes ready anyway: the
 * engine has loaded, and a job that fails the same way reports its own error.
 */
@Component("engine")
public class EngineReadiness implements HealthIndicator {
    private static final Logger log = LoggerFactory.getLogger(EngineReadiness.class);

    private final boolean needed;
    private final EngineSettings settings;
    private final int warmUpRounds;
    private final Path workDir;
    private volatile EngineInfo info;
    private volatile String warmUp;
    private volatile String jitCompilers;
    private volatile String state = "starting";
    private volatile String failure;

    public EngineReadiness(ShearsProperties properties, EngineSettings settings) {
        Role role = properties.role() == null ? Role.ALL : properties.role();
        this.needed = role.runsJobs();
        this.settings = settings;
        this.warmUpRounds = properties.engine().warmUpRoundsOrDefault();
        this.workDir = properties.workDir() != null ? properties.workDir()
                : Path.of(System.getProperty("java.io.tmpdir"));
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
                state = "warming up";
                warmUp = warmUp(started);
                jitCompilers = JitCompilers.inEffect();
                info = started;
                log.info("Engine ready on {}: {}; JIT compilers: {}; warm-up: {}", devices, info, jitCompilers,
                        warmUp);
            } catch (RuntimeException | LinkageError e) {
                failure = e.getMessage();
                log.error("The engine failed to start; this worker stays unready", e);
            }
        }, "shears-engine-start");
        t.setDaemon(true);
        t.start();
    }

    private String warmUp(EngineInfo started) {
        if (warmUpRounds == 0) {
            return "off";
        }
        try {
            EngineWarmUp.Report r = EngineWarmUp.run(settings, started.intraopThreads(), workDir, warmUpRounds);
            return String.format(Locale.ROOT, "rounds=%d trainingSteps=%d seconds=%.1f", r.rounds(), r.trainSteps(),
                    r.seconds());
        } catch (RuntimeException | LinkageError e) {
            log.error("The engine's warm-up failed; this worker runs jobs without it", e);
            return "failed: " + e.getMessage();
        }
    }

    @Override
    public Health health() {
        if (!needed) {
            return Health.up().withDetail("engine", "not used by this role").build();
        }
        if (info != null) {
            return Health.up().withDetail("engine", info.toString()).withDetail("warmUp", warmUp)
                    .withDetail("jitCompilers", jitCompilers).build();
        }
        return Health.down().withDetail("engine", failure == null ? state : failure).build();
    }
}
