package io.shears.server;

import io.micrometer.core.instrument.config.MeterFilter;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Metrics name what they measure without the service's package names: Spring tags its start-up timers with the main
 * class and its scheduled-task timers with the task's class, both fully qualified.
 */
@Configuration(proxyBeanMethods = false)
class MetricsConfiguration {
    @Bean
    MeterFilter withoutMainClassTag() {
        return MeterFilter.ignoreTags("main.application.class");
    }

    @Bean
    MeterFilter taskClassBySimpleName() {
        return MeterFilter.replaceTagValues("code.namespace", name -> name.substring(name.lastIndexOf('.') + 1));
    }
}
