package io.shears.server;

import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.FilesystemArtifactStore;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ShearsProperties.class)
class StorageConfiguration {
    @Bean
    ArtifactStore artifactStore(ShearsProperties properties) throws IOException {
        return new FilesystemArtifactStore(properties.artifacts().dir());
    }
}
