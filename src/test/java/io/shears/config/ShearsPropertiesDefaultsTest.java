package io.shears.config;

import io.shears.engine.latency.LatencyMeter;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.io.ClassPathResource;
import org.springframework.util.unit.DataSize;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** The defaults application.yml does not repeat reach the settings from the Java that owns them. */
class ShearsPropertiesDefaultsTest {
    private static ShearsProperties embedded() throws IOException {
        MutablePropertySources sources = new MutablePropertySources();
        for (PropertySource<?> source : new YamlPropertySourceLoader().load("application.yml",
                new ClassPathResource("application.yml"))) {
            sources.addLast(source);
        }
        return new Binder(ConfigurationPropertySources.from(sources)).bind("shears", ShearsProperties.class).get();
    }

    @Test
    void theEmbeddedSettingsGetS3sAndTheBenchmarksDefaultsFromJava() throws IOException {
        ShearsProperties properties = embedded();

        ShearsProperties.S3 s3 = properties.artifacts().s3();
        assertThat(s3.region()).isEqualTo("us-east-1");
        assertThat(s3.prefix()).isEmpty();
        assertThat(s3.pathStyle()).isFalse();
        assertThat(s3.multipartThreshold()).isEqualTo(DataSize.ofMegabytes(64));
        assertThat(s3.partSize()).isEqualTo(DataSize.ofMegabytes(16));
        assertThat(properties.jobs().latencyRuns()).isEqualTo(LatencyMeter.DEFAULT_RUNS).isEqualTo(20);
        assertThat(properties.jobs().latencyWarmup()).isEqualTo(LatencyMeter.DEFAULT_WARMUP).isEqualTo(5);
        assertThat(properties.jobs().maxAttempts()).isEqualTo(3);
    }
}
