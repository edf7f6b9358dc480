package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.engine.startup.DeviceSelection;
import io.shears.engine.startup.EngineSettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine settings reach the engine under one name each, from the chart's environment and from {@code -D}. */
class EngineSettingsBindingTest {

    @Test
    void theDeploymentsEnvironmentVariableSetsTheIntraopThreads() {
        ShearsProperties.Engine engine = bindFromEnvironment(Map.of("SHEARS_ENGINE_INTRAOP_THREADS", "3"));

        assertThat(engine.intraopThreads()).isEqualTo(3);
        assertThat(PipelineConfiguration.fromProperties(engine).intraopThreads()).isEqualTo(3);
    }

    @Test
    void blankSettingsInApplicationYmlKeepDjlsAndPyTorchsDefaults() {
        ShearsProperties.Engine engine = new Binder(new MapConfigurationPropertySource(Map.of(
                "shears.engine.device", "", "shears.engine.cache-dir", "", "shears.engine.intraop-threads", "",
                "shears.engine.interop-threads", ""))).bind("shears.engine", ShearsProperties.Engine.class).get();

        assertThat(engine.intraopThreads()).isNull();
        assertThat(engine.interopThreads()).isNull();
        assertThat(PipelineConfiguration.fromProperties(engine)).isEqualTo(EngineSettings.defaults());
    }

    @Test
    void theServiceAndTheCommandLineReadOneNamePerSetting() {
        Map<String, Object> given = Map.of(EngineSettings.INTRAOP_THREADS_PROPERTY, "3",
                EngineSettings.INTEROP_THREADS_PROPERTY, "1", EngineSettings.DEVICE_PROPERTY, "cpu",
                EngineSettings.CACHE_DIR_PROPERTY, "/opt/djl");
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new MapPropertySource(StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME, given));
        EngineSettings service = PipelineConfiguration.fromProperties(new Binder(
                ConfigurationPropertySources.from(sources)).bind("shears.engine", ShearsProperties.Engine.class).get());

        Map<String, String> saved = new java.util.HashMap<>();
        given.keySet().forEach(k -> saved.put(k, System.getProperty(k)));
        try {
            given.forEach((k, v) -> System.setProperty(k, (String) v));
            EngineSettings commandLine = EngineSettings.fromSystemProperties();

            assertThat(service).isEqualTo(commandLine)
                    .isEqualTo(new EngineSettings(Path.of("/opt/djl"), 1, 3, DeviceSelection.CPU));
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    private static ShearsProperties.Engine bindFromEnvironment(Map<String, Object> variables) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return new Binder(ConfigurationPropertySources.from(sources))
                .bind("shears.engine", ShearsProperties.Engine.class).get();
    }
}
