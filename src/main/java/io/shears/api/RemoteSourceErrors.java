package io.shears.api;

import io.shears.remote.RemoteUnreachableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * A model or dataset URI whose server did not deliver is the upstream's fault: 502, not the 500 that
 * {@link ApiErrors} gives unexpected exceptions. Ordered first so that its catch-all never sees these.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
class RemoteSourceErrors {
    private static final Logger log = LoggerFactory.getLogger(RemoteSourceErrors.class);

    @ExceptionHandler(RemoteUnreachableException.class)
    ResponseEntity<ProblemDetail> unreachable(RemoteUnreachableException e) {
        log.info("Import refused: {}", e.getMessage());
        return Problems.response(HttpStatus.BAD_GATEWAY, e.code(), e.getMessage());
    }
}
