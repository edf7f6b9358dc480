package io.shears.jobs;

import io.shears.config.ShearsProperties;
import io.shears.engine.startup.EngineSettings;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The thread settings the chart and compose pin reach the engine under the names they use. */
class EngineSettingsBindingTest {

    @Test
    void theDeploymentsEnvironmentVariableSetsTheIntraopThreads() {
        ShearsProperties.Engine engine = bindFromEnvironment(Map.of("SHEARS_ENGINE_INTRAOP_THREADS", "3"));

        assertThat(engine.intraopThreads()).isEqualTo(3);
        assertThat(PipelineConfiguration.fromProperties(engine).intraopThreads()).isEqualTo(3);
    }

    @Test
    void blankThreadsInApplicationYmlLeaveTheCommandLinesOrPyTorchsDefault() {
        ShearsProperties.Engine engine = new Binder(new MapConfigurationPropertySource(Map.of(
                "shears.engine.device", "", "shears.engine.intraop-threads", "",
                "shears.engine.interop-threads", ""))).bind("shears.engine", ShearsProperties.Engine.class).get();

        assertThat(engine.intraopThreads()).isNull();
        assertThat(engine.interopThreads()).isNull();
        EngineSettings fallback = EngineSettings.fromSystemProperties();
        assertThat(PipelineConfiguration.fromProperties(engine).intraopThreads()).isEqualTo(fallback.intraopThreads());
    }

    private static ShearsProperties.Engine bindFromEnvironment(Map<String, Object> variables) {
        MutablePropertySources sources = new MutablePropertySources();
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, variables));
        return new Binder(ConfigurationPropertySources.from(sources))
                .bind("shears.engine", ShearsProperties.Engine.class).get();
    }
}
