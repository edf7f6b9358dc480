package io.shears.api;

import io.shears.tenancy.ApiKeys;
import io.shears.tenancy.KeyRole;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.method.configuration.EnableMethodSecurity;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.util.pattern.PathPatternParser;

/**
 * Who may call what. The rules match the path Spring MVC routes (decoded and normalised), and the firewall refuses
 * any request whose raw path could be read two ways (encoded slashes and dots, {@code ;} parameters, {@code //},
 * dot segments), so a path that a rule does not see as {@code /v1/admin/...} cannot reach the admin controller.
 * Method security on the admin controller is a second wall behind these rules.
 */
@Configuration(proxyBeanMethods = false)
@EnableMethodSecurity
class SecurityConfiguration {
    /** Why a key was refused, whether the filter chain's rules or the admin controller's own check refused it. */
    static final String FORBIDDEN_DETAIL = "this API key's role does not allow this request";
    private static final String[] OPEN_PATHS = {
            "/actuator/health", "/actuator/health/**",
            "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml",
            "/swagger-ui.html", "/swagger-ui/**",
    };

    @Bean
    SecurityFilterChain apiSecurity(HttpSecurity http, ApiKeys keys, ProblemWriter problems) throws Exception {
        String admin = KeyRole.ADMIN.name();
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new ApiKeyAuthenticationFilter(keys), AnonymousAuthenticationFilter.class)
                .authorizeHttpRequests(rules -> rules
                        // Both continue a request these rules already admitted (an async stream, an error page).
                        .dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll()
                        .requestMatchers(OPEN_PATHS).permitAll()
                        .requestMatchers(anyCase("/actuator/prometheus")).hasRole(KeyRole.METRICS.name())
                        .requestMatchers(anyCase("/actuator/**")).hasRole(admin)
                        .requestMatchers(anyCase("/v1/admin"), anyCase("/v1/admin/**")).hasRole(admin)
                        .requestMatchers("/v1", "/v1/**").hasRole(KeyRole.TENANT.name())
                        .anyRequest().denyAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint(unauthenticated(problems))
                        .accessDeniedHandler(forbidden(problems)));
        return http.build();
    }

    /**
     * The privileged paths in any letter case: Spring MVC routes case-sensitively today, but a rule must not depend on
     * that, or {@code /v1/Admin/keys} would fall under the tenant rule the day routing stops being case-sensitive.
     */
    private static RequestMatcher anyCase(String pattern) {
        PathPatternParser parser = new PathPatternParser();
        parser.setCaseSensitive(false);
        return PathPatternRequestMatcher.withPathPatternParser(parser).matcher(pattern);
    }

    /** The default strict firewall; named here so that nobody loosens it without seeing why it is strict. */
    @Bean
    HttpFirewall httpFirewall() {
        return new StrictHttpFirewall();
    }

    @Bean
    RequestRejectedHandler requestRejectedHandler(ProblemWriter problems) {
        return (request, response, rejected) -> problems.write(response, HttpStatus.BAD_REQUEST, "INVALID_PATH",
                "the request path is not in canonical form (encoded '/', '.' or '%', ';', '//', '\\' or dot "
                        + "segments); send the plain path");
    }

    private static AuthenticationEntryPoint unauthenticated(ProblemWriter problems) {
        return (request, response, e) -> {
            Object reason = request.getAttribute(ApiKeyAuthenticationFilter.FAILURE_ATTRIBUTE);
            response.setHeader("WWW-Authenticate", "Bearer");
            problems.write(response, HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED",
                    reason == null ? ApiKeyAuthenticationFilter.MISSING_KEY : reason.toString());
        };
    }

    private static AccessDeniedHandler forbidden(ProblemWriter problems) {
        return (request, response, e) -> problems.write(response, HttpStatus.FORBIDDEN, "FORBIDDEN",
                FORBIDDEN_DETAIL);
    }
}
