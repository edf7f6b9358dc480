package io.shears.api;

import io.shears.server.ServiceException;
import io.shears.tenancy.ApiKeys;
import io.shears.tenancy.Caller;
import io.shears.tenancy.IssuedKey;
import io.shears.tenancy.KeyInfo;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

@RestController
@RequestMapping("/v1/admin/keys")
@Conditional(ServesApi.class)
@Tag(name = "Admin", description = "API keys and tenants (admin keys only)")
@SecurityRequirement(name = "apiKey")
public class AdminController {
    private final ApiKeys keys;

    public AdminController(ApiKeys keys) {
        this.keys = keys;
    }

    /** @param tenant the tenant the key acts for; created with its callback secret on first use */
    public record NewKey(String tenant, Boolean admin, String label) {
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "Create an API key", description = "The key is in this answer only; Shears keeps a hash. "
            + "callbackSecret is the tenant's secret for verifying job callbacks.")
    public ResponseEntity<IssuedKey> create(Caller caller, @RequestBody NewKey request) {
        if (request == null || request.tenant() == null || !request.tenant().matches("[a-z0-9][a-z0-9-]{0,63}")) {
            throw ServiceException.invalid("INVALID_FIELD", "tenant: 1..64 lower-case letters, digits or '-'");
        }
        if (request.label() != null && request.label().length() > 200) {
            throw ServiceException.invalid("INVALID_FIELD", "label: at most 200 characters");
        }
        IssuedKey key = keys.create(request.tenant(), Boolean.TRUE.equals(request.admin()), request.label());
        return ResponseEntity.status(HttpStatus.CREATED).body(key);
    }

    @GetMapping(produces = MediaType.APPLICATION_JSON_VALUE)
    @Operation(summary = "List API keys (never the keys themselves)")
    public List<KeyInfo> list(Caller caller) {
        return keys.list();
    }

    @DeleteMapping("/{id}")
    @Operation(summary = "Revoke an API key", description = "Requests with it fail with 401 from then on.")
    public ResponseEntity<Void> revoke(Caller caller, @PathVariable String id) {
        if (!keys.revoke(id)) {
            throw ServiceException.notFound("key", id);
        }
        return ResponseEntity.noContent().build();
    }
}
