package io.shears.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.MDC;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names each request for the logs: the caller's {@code X-Request-ID} when it is a plain token (else a new UUID) goes
 * into the MDC as {@code requestId} and back in the answer's header, and a request about one job puts that job's id
 * in the MDC as {@code jobId}, so every line a request logs can be found by either. First of all filters, so even a
 * refused request's lines carry them.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class RequestIdFilter extends OncePerRequestFilter {
    static final String HEADER = "X-Request-ID";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private static final Pattern JOB_PATH = Pattern.compile("^/v1/jobs/([0-9a-f-]{36})(/.*)?$");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(HEADER);
        String id = given != null && TOKEN.matcher(given).matches() ? given : UUID.randomUUID().toString();
        Matcher job = JOB_PATH.matcher(request.getRequestURI());
        MDC.put("requestId", id);
        if (job.matches()) {
            MDC.put("jobId", job.group(1));
        }
        response.setHeader(HEADER, id);
        try {
            chain.doFilter(request, response);
        } finally {
            MDC.remove("requestId");
            MDC.remove("jobId");
        }
    }
}
