package io.shears.api;

import io.shears.jobs.ArtifactLinks;
import org.springframework.stereotype.Component;

/** The download path of an artifact, the one route {@link ArtifactsController} serves it under. */
@Component
class ArtifactUrls implements ArtifactLinks {
    static final String PATH = "/v1/artifacts";

    @Override
    public String urlOf(String artifactId) {
        return PATH + "/" + artifactId;
    }
}
