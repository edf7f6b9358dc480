package io.shears.jobs;

import io.shears.server.ShearsProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.util.List;

@Configuration(proxyBeanMethods = false)
class PipelineConfiguration {
    @Bean
    JobPipeline jobPipeline(ShearsProperties properties) {
        ShearsProperties.Jobs jobs = properties.jobs();
        PipelineSettings settings = PipelineSettings.defaults()
                .withLatency(List.of(1, 32), jobs.latencyWarmup(), jobs.latencyRuns(),
                        Runtime.getRuntime().availableProcessors());
        return new JobPipeline(settings);
    }
}
