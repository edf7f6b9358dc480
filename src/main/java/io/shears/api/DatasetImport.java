package io.shears.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** {@code POST /v1/datasets} with a JSON body: the archive is fetched from {@code uri} instead of sent. */
@Schema(description = "A dataset archive to fetch: s3://bucket/key, or https:// from a host on "
        + "shears.import.allowed-hosts")
record DatasetImport(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "s3://datasets/bands.zip",
                             description = "a zip or tar.gz archive") String uri,
                     @Schema(description = "display name; the URI's last segment when absent", example = "bands")
                     String name) {
}
