package io.shears.api;

import io.swagger.v3.oas.annotations.media.Schema;

import static io.swagger.v3.oas.annotations.media.Schema.RequiredMode.REQUIRED;

/**
 * The problem+json body (RFC 9457) as the OpenAPI document describes it. The service builds these as Spring's
 * {@code ProblemDetail} (see {@link Problems}), whose schema would show {@code code} and {@code field} nested under
 * a {@code properties} map although Jackson writes them at the top level; this record describes the wire form.
 */
@Schema(name = ProblemDocument.SCHEMA,
        description = "An error: application/problem+json with a stable machine-readable 'code'")
record ProblemDocument(
        @Schema(description = "a URI naming the problem kind, derived from 'code'", format = "uri",
                example = "https://shears.io/problems/not-found", requiredMode = REQUIRED) String type,
        @Schema(description = "the HTTP reason phrase", example = "Not Found", requiredMode = REQUIRED)
        String title,
        @Schema(description = "the HTTP status", example = "404", requiredMode = REQUIRED) int status,
        @Schema(description = "what went wrong, for people",
                example = "no job '8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d'") String detail,
        @Schema(description = "the request path",
                example = "/v1/jobs/8d1e0f3a-6b2c-4f7d-9e5a-3c4b2a1f0e9d") String instance,
        @Schema(description = "the stable code to branch on", example = "NOT_FOUND", requiredMode = REQUIRED)
        String code,
        @Schema(description = "with INVALID_FIELD: the JSON path of the bad field", example = "budget.fraction")
        String field) {

    static final String MEDIA_TYPE = "application/problem+json";
    static final String SCHEMA = "Problem";

}
