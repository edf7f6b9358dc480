package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.engine.latency.LatencyMeter;
import io.shears.engine.startup.CpuQuota;
import io.shears.engine.startup.DeviceSelection;
import io.shears.engine.startup.EngineSettings;
import io.shears.pipeline.JobPipeline;
import io.shears.pipeline.PipelineSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {
    @Bean
    EngineSettings engineSettings(ShearsProperties properties) {
        return fromProperties(properties.engine());
    }

    @Bean
    JobPipeline jobPipeline(ShearsProperties properties, EngineSettings engineSettings) {
        ShearsProperties.Jobs jobs = properties.jobs();
        PipelineSettings defaults = PipelineSettings.defaults();
        PipelineSettings settings = defaults
                .withLatency(LatencyMeter.DEFAULT_BATCHES, jobs.latencyWarmup(), jobs.latencyRuns(),
                        latencyThreads(properties))
                .withLimits(defaults.modelLimits(),
                        defaults.datasetLimits().withMaxClasses(properties.uploads().maxDatasetClasses()))
                .withEngine(engineSettings);
        return new JobPipeline(settings);
    }

    /**
     * ONNX Runtime's benchmark threads spin while they wait; in a process that also serves the API, one core is
     * left to the request threads so polling clients are not starved.
     */
    static int latencyThreads(ShearsProperties properties) {
        int cores = CpuQuota.ofThisProcess().threads();
        return properties.role() != null && properties.role().servesApi() ? Math.max(1, cores - 1) : cores;
    }

    /**
     * {@code shears.engine.*} as Spring bound it, from any source (a {@code -D} system property among them); what is
     * blank keeps DJL's and PyTorch's defaults.
     */
    static EngineSettings fromProperties(ShearsProperties.Engine engine) {
        EngineSettings settings = EngineSettings.defaults();
        if (engine.device() != null && !engine.device().isBlank()) {
            settings = settings.withDevice(DeviceSelection.parse(engine.device()));
        }
        if (engine.cacheDir() != null && !engine.cacheDir().isBlank()) {
            settings = settings.withCacheDir(java.nio.file.Path.of(engine.cacheDir()));
        }
        if (engine.intraopThreads() != null || engine.interopThreads() != null) {
            settings = settings.withThreads(
                    engine.interopThreads() != null ? engine.interopThreads() : settings.interopThreads(),
                    engine.intraopThreads() != null ? engine.intraopThreads() : settings.intraopThreads());
        }
        return settings;
    }
}
