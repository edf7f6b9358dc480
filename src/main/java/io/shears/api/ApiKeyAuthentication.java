package io.shears.api;

import io.shears.tenancy.Caller;
import io.shears.tenancy.KeyRole;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/** A request authenticated by its API key; the principal is the {@link Caller}, the authorities its key's roles. */
final class ApiKeyAuthentication extends AbstractAuthenticationToken {
    private final Caller caller;

    ApiKeyAuthentication(Caller caller) {
        super(caller.role().grants().stream().map(ApiKeyAuthentication::authorityOf).toList());
        this.caller = caller;
        setAuthenticated(true);
    }

    /** The authority that Spring Security's {@code hasRole(name)} checks for a role. */
    private static SimpleGrantedAuthority authorityOf(KeyRole role) {
        return new SimpleGrantedAuthority("ROLE_" + role.name());
    }

    @Override
    public Caller getPrincipal() {
        return caller;
    }

    @Override
    public Object getCredentials() {
        // The key itself is never kept after the lookup.
        return null;
    }
}
