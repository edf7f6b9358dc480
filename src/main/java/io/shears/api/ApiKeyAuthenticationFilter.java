package io.shears.api;

import io.shears.tenancy.ApiKeys;
import io.shears.tenancy.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.Optional;

/**
 * Turns {@code Authorization: Bearer <key>} into an {@link ApiKeyAuthentication}. It only authenticates: which paths
 * need which role is decided by the rules in {@link SecurityConfiguration}, on the path Spring MVC routes. A missing or
 * unknown key leaves the request anonymous, with the reason kept for the 401 answer, so open endpoints (health, the
 * API document) still answer a caller whose key is wrong.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {
    /** Request attribute: why the request is not authenticated, for the 401 answer. */
    static final String FAILURE_ATTRIBUTE = ApiKeyAuthenticationFilter.class.getName() + ".failure";
    static final String MISSING_KEY = "send an API key as 'Authorization: Bearer <key>'";
    static final String UNKNOWN_KEY = "the API key is unknown or revoked";

    private final ApiKeys keys;

    ApiKeyAuthenticationFilter(ApiKeys keys) {
        this.keys = keys;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            request.setAttribute(FAILURE_ATTRIBUTE, MISSING_KEY);
        } else {
            Optional<Caller> caller = keys.authenticate(header.substring(7));
            if (caller.isPresent()) {
                SecurityContext context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(new ApiKeyAuthentication(caller.get()));
                SecurityContextHolder.setContext(context);
            } else {
                request.setAttribute(FAILURE_ATTRIBUTE, UNKNOWN_KEY);
            }
        }
        chain.doFilter(request, response);
    }
}
