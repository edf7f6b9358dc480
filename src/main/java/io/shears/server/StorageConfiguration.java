package io.shears.server;

import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.FilesystemArtifactStore;
import io.shears.artifacts.S3ArtifactStore;
import io.shears.config.ShearsProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.net.URI;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ShearsProperties.class)
class StorageConfiguration {
    /** Spring closes the S3 store's client with the context (it infers {@code close()}). */
    @Bean
    ArtifactStore artifactStore(ShearsProperties properties) throws IOException {
        ShearsProperties.Artifacts artifacts = properties.artifacts();
        return switch (artifacts.type()) {
            case FILESYSTEM -> new FilesystemArtifactStore(artifacts.dir());
            case S3 -> S3ArtifactStore.connect(s3Settings(artifacts.s3()),
                    artifacts.s3().presign() ? artifacts.s3().presignLifetime() : null);
        };
    }

    static S3ArtifactStore.Settings s3Settings(ShearsProperties.S3 s3) {
        if (s3.bucket() == null || s3.bucket().isBlank()) {
            throw new IllegalStateException("shears.artifacts.type=s3 needs shears.artifacts.s3.bucket "
                    + "(SHEARS_ARTIFACTS_S3_BUCKET): the name of an existing bucket");
        }
        URI endpoint = s3.endpoint() == null || s3.endpoint().isBlank() ? null : URI.create(s3.endpoint().strip());
        return new S3ArtifactStore.Settings(endpoint, s3.region(), s3.bucket().strip(), s3.prefix(), s3.pathStyle(),
                s3.multipartThreshold().toBytes(), s3.partSize().toBytes());
    }
}
