package io.shears.api;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

/**
 * Keeps slow clients from starving the service, with the timeouts and limits in application.yml. Tomcat has no limit
 * on connections per client address, and behind a load balancer or ingress every client shares the proxy's address
 * anyway, so there is none here: the proxy is the place for one.
 */
@Configuration(proxyBeanMethods = false)
class HttpConnectorConfiguration {
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> refusedBodyValve(
            @Value("${server.tomcat.max-swallow-size:2MB}") DataSize maxSwallowSize) {
        return factory -> factory.addEngineValves(new RefusedBodyValve(maxSwallowSize.toBytes()));
    }
}
