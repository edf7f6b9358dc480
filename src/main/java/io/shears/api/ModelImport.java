package io.shears.api;

import io.swagger.v3.oas.annotations.media.Schema;

/** {@code POST /v1/models} with a JSON body: the model is fetched from {@code uri} instead of sent. */
@Schema(description = "A model to fetch: s3://bucket/key, or https:// from a host on shears.import.allowed-hosts")
record ModelImport(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "s3://models/resnet18.onnx",
                           description = "an .onnx file or a zip/tar.gz bundle") String uri,
                   @Schema(description = "display name; the URI's last segment when absent", example = "resnet18")
                   String name,
                   @Schema(description = "static input shape for dynamic dimensions", example = "1x3x224x224")
                   String inputShape) {
}
