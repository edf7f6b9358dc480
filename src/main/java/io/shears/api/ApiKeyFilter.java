package io.shears.api;

import io.shears.tenancy.ApiKeys;
import io.shears.tenancy.Caller;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.Optional;

/**
 * Authenticates {@code Authorization: Bearer <key>} on the API, the metrics and the admin endpoints. Swagger UI, the
 * OpenAPI document and the health probes stay open, since load balancers and people exploring the API reach them
 * without a key.
 */
@Component
public class ApiKeyFilter extends OncePerRequestFilter {
    public static final String CALLER_ATTRIBUTE = Caller.class.getName();

    private final ApiKeys keys;
    private final JsonMapper json;

    public ApiKeyFilter(ApiKeys keys, JsonMapper json) {
        this.keys = keys;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.startsWith("/v1/") || path.equals("/v1") || path.startsWith("/actuator/prometheus")
                || path.startsWith("/actuator/metrics"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            refuse(response, HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED",
                    "send an API key as 'Authorization: Bearer <key>'");
            return;
        }
        Optional<Caller> caller = keys.authenticate(header.substring(7));
        if (caller.isEmpty()) {
            refuse(response, HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED", "the API key is unknown or revoked");
            return;
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        boolean adminOnly = path.startsWith("/v1/admin") || path.startsWith("/actuator/");
        if (adminOnly && !caller.get().admin()) {
            refuse(response, HttpStatus.FORBIDDEN, "FORBIDDEN", "this endpoint needs an admin key");
            return;
        }
        request.setAttribute(CALLER_ATTRIBUTE, caller.get());
        chain.doFilter(request, response);
    }

    private void refuse(HttpServletResponse response, HttpStatus status, String code, String detail)
            throws IOException {
        ProblemDetail problem = Problems.of(status, code, detail);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (status == HttpStatus.UNAUTHORIZED) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        response.getOutputStream().write(json.writeValueAsBytes(problem));
    }
}
