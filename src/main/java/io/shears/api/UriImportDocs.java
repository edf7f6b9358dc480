package io.shears.api;

import io.shears.remote.RemoteObjects;
import io.shears.remote.RemoteUnreachableException;
import io.shears.remote.RemoteUri;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * Adds the JSON form ({@code {"uri": ...}}) to the documented upload operations. The JSON handlers are hidden from
 * springdoc, which would otherwise merge them into the upload operations in an order it does not guarantee.
 */
@Component
class UriImportDocs implements OpenApiCustomizer {
    private static final String UNREACHABLE = """
            {"type": "https://shears.io/problems/uri-unreachable", "title": "Bad Gateway", "status": 502,
             "detail": "cannot reach the S3 server for %2$s: Unable to execute HTTP request",
             "instance": "%1$s", "code": "URI_UNREACHABLE"}""";
    private static final String NOT_FOUND = """
            {"type": "https://shears.io/problems/uri-object-not-found", "title": "Unprocessable Content",
             "status": 422, "detail": "no object %2$s (or no bucket '%3$s')",
             "instance": "%1$s", "code": "URI_OBJECT_NOT_FOUND"}""";

    @Override
    public void customise(OpenAPI openApi) {
        document(openApi, "/v1/models", ModelImport.class, "model",
                new ModelImport("s3://models/resnet18.onnx", "resnet18", null), "s3://models/resnet18.onnx", "models");
        document(openApi, "/v1/datasets", DatasetImport.class, "dataset",
                new DatasetImport("s3://datasets/bands.zip", "bands"), "s3://datasets/bands.zip", "datasets");
    }

    private static void document(OpenAPI openApi, String path, Class<?> body, String what, Object example,
                                 String exampleUri, String exampleBucket) {
        PathItem item = openApi.getPaths() == null ? null : openApi.getPaths().get(path);
        Operation upload = item == null ? null : item.getPost();
        if (upload == null || upload.getRequestBody() == null) {
            return;
        }
        ModelConverters.getInstance().read(body).forEach(openApi.getComponents()::addSchemas);
        upload.getRequestBody().getContent().addMediaType(org.springframework.http.MediaType.APPLICATION_JSON_VALUE,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + body.getSimpleName()))
                        .examples(Map.of("s3", new Example().value(example))));
        upload.setDescription(upload.getDescription() + " Or, as application/json {\"uri\": ...}, the " + what
                + " is fetched from s3://bucket/key (the S3 server of shears.import.s3, with the service's "
                + "credentials) or from an https:// URL on a host of shears.import.allowed-hosts (http:// is "
                + "refused, redirects are not followed), during the request and with the same limits and checks as "
                + "an upload; the answer is the same.");
        ApiResponse invalid = upload.getResponses().get("422");
        if (invalid != null) {
            invalid.setDescription(invalid.getDescription() + "; a URI Shears will not fetch ("
                    + RemoteUri.URI_INVALID + ", " + RemoteUri.URI_SCHEME_NOT_ALLOWED + ", "
                    + RemoteUri.URI_HOST_NOT_ALLOWED + "), nothing at it (" + RemoteObjects.URI_OBJECT_NOT_FOUND
                    + ") or a refusal to read it (" + RemoteObjects.URI_ACCESS_DENIED + ")");
            invalid.getContent().get(ProblemDocument.MEDIA_TYPE).addExamples(RemoteObjects.URI_OBJECT_NOT_FOUND,
                    OpenApiConfiguration.refusal("", RemoteObjects.URI_OBJECT_NOT_FOUND,
                            NOT_FOUND.formatted(path, exampleUri, exampleBucket)).getContent()
                            .get(ProblemDocument.MEDIA_TYPE).getExamples().get(RemoteObjects.URI_OBJECT_NOT_FOUND));
        }
        upload.getResponses().addApiResponse("502", OpenApiConfiguration.refusal("The URI's server could not be "
                + "reached, answered with an error or a redirect, or broke off the transfer ("
                + RemoteUnreachableException.CODE + "); retry later", RemoteUnreachableException.CODE,
                UNREACHABLE.formatted(path, exampleUri)));
    }
}
