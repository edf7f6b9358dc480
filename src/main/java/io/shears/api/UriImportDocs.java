package io.shears.api;

import io.shears.remote.RemoteObjects;
import io.shears.remote.RemoteUnreachableException;
import io.shears.remote.RemoteUri;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponse;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springframework.stereotype.Component;

/**
 * Documents the JSON form of the uploads ({@code {"uri": ...}}) in the operations' text and answers. It is not a second
 * request body in the schema: generators build one method per operation from the first media type they find, so a
 * JSON alternative would replace the multipart upload in every generated client. The JSON handlers are hidden from
 * springdoc for the same reason.
 */
@Component
class UriImportDocs implements OpenApiCustomizer {
    @Override
    public void customise(OpenAPI openApi) {
        document(openApi, "/v1/models", "model", "{\"uri\": \"s3://models/resnet18.onnx\", \"name\": \"resnet18\"}");
        document(openApi, "/v1/datasets", "dataset", "{\"uri\": \"s3://datasets/bands.zip\", \"name\": \"bands\"}");
    }

    private static void document(OpenAPI openApi, String path, String what, String example) {
        PathItem item = openApi.getPaths() == null ? null : openApi.getPaths().get(path);
        Operation upload = item == null ? null : item.getPost();
        if (upload == null || upload.getRequestBody() == null) {
            return;
        }
        upload.setDescription(upload.getDescription() + " Or, sent as application/json (for example " + example
                + "), the " + what + " is fetched from s3://bucket/key (the S3 server of shears.import.s3, with the "
                + "service's credentials) or from an https:// URL on a host of shears.import.allowed-hosts (http:// is "
                + "refused, redirects are not followed), during the request and with the same limits and checks as "
                + "an upload; the answer is the same.");
        ApiResponse invalid = upload.getResponses().get("422");
        if (invalid != null) {
            invalid.setDescription(invalid.getDescription() + "; a URI Shears will not fetch ("
                    + RemoteUri.URI_INVALID + ", " + RemoteUri.URI_SCHEME_NOT_ALLOWED + ", "
                    + RemoteUri.URI_HOST_NOT_ALLOWED + "), nothing at it (" + RemoteObjects.URI_OBJECT_NOT_FOUND
                    + ") or a refusal to read it (" + RemoteObjects.URI_ACCESS_DENIED + ")");
            invalid.getContent().get(ProblemDocument.MEDIA_TYPE).addExamples(RemoteObjects.URI_OBJECT_NOT_FOUND,
                    OpenApiConfiguration.refusal("", RemoteObjects.URI_OBJECT_NOT_FOUND, "uri-object-not-found")
                            .getContent().get(ProblemDocument.MEDIA_TYPE).getExamples()
                            .get(RemoteObjects.URI_OBJECT_NOT_FOUND));
        }
        upload.getResponses().addApiResponse("502", OpenApiConfiguration.refusal("The URI's server could not be "
                + "reached, answered with an error or a redirect, or broke off the transfer ("
                + RemoteUnreachableException.CODE + "); retry later", RemoteUnreachableException.CODE,
                "uri-unreachable"));
    }
}
