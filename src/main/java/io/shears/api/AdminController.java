package io.shears.api;

import io.shears.config.ServiceException;
import io.shears.tenancy.ApiKeys;
import io.shears.tenancy.Caller;
import io.shears.tenancy.IssuedKey;
import io.shears.tenancy.KeyInfo;
import io.shears.tenancy.KeyRole;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

@RestController
@RequestMapping("/v1/admin/keys")
@Conditional(ServesApi.class)
@Tag(name = "Admin", description = "API keys and tenants (admin keys only)")
@SecurityRequirement(name = "apiKey")
@PreAuthorize("hasRole('ADMIN')")
public class AdminController {
    private static final String KEY_ID = "8f42debb-f0cb-4b2e-9cc4-0b27d13f5d99";

    private final ApiKeys keys;

    public AdminController(ApiKeys keys) {
        this.keys = keys;
    }

    /**
     * @param tenant the tenant the key acts for; created with its callback secret on first use
     * @param role   {@code tenant} (the default), {@code admin}, or {@code metrics} (reads /actuator/prometheus only)
     * @param admin  the older form of {@code "role": "admin"}
     */
    public record NewKey(String tenant,
                         @Schema(allowableValues = {"tenant", "admin", "metrics"}, defaultValue = "tenant") String role,
                         @Schema(deprecated = true) Boolean admin, String label) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "createKey", summary = "Create an API key",
            description = "The key is in this answer only; Shears keeps a hash. callbackSecret is the tenant's secret "
                    + "for verifying job callbacks. A new tenant is created with its first key.",
            requestBody = @io.swagger.v3.oas.annotations.parameters.RequestBody(content = @Content(
                    mediaType = MediaType.APPLICATION_JSON_VALUE,
                    examples = @ExampleObject(name = "a tenant's key", ref = "#/components/examples/new-key"))))
    @ApiResponse(responseCode = "201", description = "Created; the only time the key is shown",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    schema = @Schema(implementation = IssuedKey.class),
                    examples = @ExampleObject(name = "a tenant's key", ref = "#/components/examples/issued-key")))
    @ApiResponse(responseCode = "422", description = "A bad tenant name or a label over 200 characters "
            + "(INVALID_FIELD)",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "INVALID_FIELD", ref = "#/components/examples/invalid-tenant")))
    public ResponseEntity<IssuedKey> create(Caller caller, @RequestBody NewKey request) {
        if (request == null || request.tenant() == null || !request.tenant().matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw ServiceException.invalid("INVALID_FIELD", "tenant: 1..64 lower-case letters, digits or '-'");
        }
        if (request.label() != null && request.label().length() > 200) {
            throw ServiceException.invalid("INVALID_FIELD", "label: at most 200 characters");
        }
        IssuedKey key = keys.create(request.tenant(), role(request), request.label());
        return ResponseEntity.status(HttpStatus.CREATED).body(key);
    }

    private static KeyRole role(NewKey request) {
        if (request.role() == null) {
            return Boolean.TRUE.equals(request.admin()) ? KeyRole.ADMIN : KeyRole.TENANT;
        }
        KeyRole role = KeyRole.fromExternalName(request.role()).orElseThrow(() -> ServiceException.invalid(
                "INVALID_FIELD", "role: one of " + Arrays.stream(KeyRole.values()).map(KeyRole::externalName)
                        .collect(Collectors.joining(", "))));
        if (request.admin() != null && request.admin() != (role == KeyRole.ADMIN)) {
            throw ServiceException.invalid("INVALID_FIELD", "admin: contradicts role '" + request.role() + "'");
        }
        return role;
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(operationId = "listKeys", summary = "List API keys (never the keys themselves)",
            description = "Every tenant's keys, revoked ones with the time they were revoked.")
    @ApiResponse(responseCode = "200", description = "The keys, oldest first",
            content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE,
                    array = @ArraySchema(schema = @Schema(implementation = KeyInfo.class)),
                    examples = @ExampleObject(name = "two keys", ref = "#/components/examples/keys")))
    public List<KeyInfo> list(Caller caller) {
        return keys.list();
    }

    @DeleteMapping("/{id}")
    @Operation(operationId = "revokeKey", summary = "Revoke an API key",
            description = "Requests with it fail with 401 from then on. Revoking a revoked key is not an error.")
    @ApiResponse(responseCode = "204", description = "Revoked")
    @ApiResponse(responseCode = "404", description = "No such key",
            content = @Content(mediaType = ProblemDocument.MEDIA_TYPE,
                    schema = @Schema(implementation = ProblemDocument.class),
                    examples = @ExampleObject(name = "NOT_FOUND", ref = "#/components/examples/key-not-found")))
    public ResponseEntity<Void> revoke(Caller caller, @Parameter(description = "the key's id (not the key)",
            example = KEY_ID) @PathVariable String id) {
        if (!keys.revoke(id)) {
            throw ServiceException.notFound("key", id);
        }
        return ResponseEntity.noContent().build();
    }
}
