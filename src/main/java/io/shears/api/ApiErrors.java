package io.shears.api;

import io.shears.config.ServiceBusyException;
import io.shears.config.ServiceException;
import io.shears.data.DatasetException;
import io.shears.data.DatasetProblem;
import io.shears.onnx.InvalidModelException;
import io.shears.pipeline.InvalidJobSpecException;
import io.shears.pruning.InvalidPruningOptionsException;
import jakarta.servlet.http.HttpServletRequest;
import org.apache.catalina.connector.ClientAbortException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.async.AsyncRequestNotUsableException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.multipart.MultipartException;
import org.springframework.web.multipart.support.MissingServletRequestPartException;
import org.springframework.web.servlet.resource.NoResourceFoundException;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;

import java.util.stream.Collectors;

/**
 * Every refusal becomes problem+json with a stable {@code code}; nothing reaches the client as a stack trace. Input
 * the service cannot use is 4xx with the specific code; only a fault of the service itself is a 500.
 */
@RestControllerAdvice
public class ApiErrors {
    private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

    @ExceptionHandler(ServiceException.class)
    ResponseEntity<ProblemDetail> refused(ServiceException e) {
        HttpStatus status = switch (e.kind()) {
            case INVALID -> HttpStatus.UNPROCESSABLE_CONTENT;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
            case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
        };
        return Problems.response(status, e.code(), e.getMessage());
    }

    @ExceptionHandler(ServiceBusyException.class)
    ResponseEntity<ProblemDetail> busy(ServiceBusyException e) {
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfter().toSeconds()))
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(HttpStatus.SERVICE_UNAVAILABLE, e.code(), e.getMessage()));
    }

    @ExceptionHandler(InvalidJobSpecException.class)
    ResponseEntity<ProblemDetail> jobSpec(InvalidJobSpecException e) {
        ResponseEntity<ProblemDetail> r = Problems.response(HttpStatus.UNPROCESSABLE_CONTENT, "INVALID_FIELD",
                e.getMessage());
        r.getBody().setProperty("field", e.field());
        return r;
    }

    @ExceptionHandler(InvalidPruningOptionsException.class)
    ResponseEntity<ProblemDetail> pruningOptions(InvalidPruningOptionsException e) {
        return Problems.response(HttpStatus.UNPROCESSABLE_CONTENT, "INVALID_PRUNING_OPTIONS", e.getMessage());
    }

    @ExceptionHandler(InvalidModelException.class)
    ResponseEntity<ProblemDetail> model(InvalidModelException e) {
        HttpStatus status = switch (e.problem()) {
            case MODEL_TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
            case MODEL_UNPARSEABLE, BUNDLE_INVALID -> HttpStatus.BAD_REQUEST;
            default -> HttpStatus.UNPROCESSABLE_CONTENT;
        };
        return Problems.response(status, e.code(), e.getMessage());
    }

    @ExceptionHandler(DatasetException.class)
    ResponseEntity<ProblemDetail> dataset(DatasetException e) {
        HttpStatus status = e.problem() == DatasetProblem.DATASET_TOO_LARGE ? HttpStatus.CONTENT_TOO_LARGE
                : e.problem() == DatasetProblem.DATASET_UNSUPPORTED_FORMAT
                || e.problem() == DatasetProblem.DATASET_ARCHIVE_CORRUPT ? HttpStatus.BAD_REQUEST
                : HttpStatus.UNPROCESSABLE_CONTENT;
        return Problems.response(status, e.code(), e.getMessage());
    }

    /** Method security refused the caller: the filter chain's rules let the request through, the method did not. */
    @ExceptionHandler(AccessDeniedException.class)
    ResponseEntity<ProblemDetail> forbidden(AccessDeniedException e) {
        return Problems.response(HttpStatus.FORBIDDEN, "FORBIDDEN", SecurityConfiguration.FORBIDDEN_DETAIL);
    }

    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthenticated(AuthenticationException e) {
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header("WWW-Authenticate", "Bearer")
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(Problems.of(HttpStatus.UNAUTHORIZED, "UNAUTHENTICATED", ApiKeyAuthenticationFilter.MISSING_KEY));
    }

    @ExceptionHandler(MaxUploadSizeExceededException.class)
    ResponseEntity<ProblemDetail> uploadSize(MaxUploadSizeExceededException e) {
        return Problems.response(HttpStatus.CONTENT_TOO_LARGE, "UPLOAD_TOO_LARGE",
                "the upload is larger than this service accepts");
    }

    @ExceptionHandler({MultipartException.class, MissingServletRequestPartException.class})
    ResponseEntity<ProblemDetail> multipart(Exception e) {
        return Problems.response(HttpStatus.BAD_REQUEST, "MALFORMED_UPLOAD",
                "the multipart upload needs one part named 'file'");
    }

    @ExceptionHandler(HttpMessageNotReadableException.class)
    ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
        if (e.getCause() instanceof DatabindException bad && !bad.getPath().isEmpty()) {
            String field = BindingMessages.fieldPath(bad.getPath());
            ResponseEntity<ProblemDetail> r = Problems.response(HttpStatus.UNPROCESSABLE_CONTENT, "INVALID_FIELD",
                    field + ": " + BindingMessages.fieldProblem(bad));
            r.getBody().setProperty("field", field);
            return r;
        }
        if (e.getMostSpecificCause() instanceof JacksonException syntax && syntax.getLocation() != null
                && syntax.getLocation().getLineNr() > 0) {
            return Problems.response(HttpStatus.BAD_REQUEST, "MALFORMED_JSON", "the body is not valid JSON: "
                    + firstLine(syntax.getOriginalMessage()) + " (line " + syntax.getLocation().getLineNr()
                    + ", column " + syntax.getLocation().getColumnNr() + ")");
        }
        return Problems.response(HttpStatus.BAD_REQUEST, "MALFORMED_JSON",
                "the request needs a JSON object as its body");
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> parameterType(MethodArgumentTypeMismatchException e) {
        return Problems.response(HttpStatus.BAD_REQUEST, "INVALID_PARAMETER",
                BindingMessages.parameterProblem(e.getName(), e.getValue(), e.getRequiredType()));
    }

    @ExceptionHandler(MissingServletRequestParameterException.class)
    ResponseEntity<ProblemDetail> missingParameter(MissingServletRequestParameterException e) {
        return Problems.response(HttpStatus.BAD_REQUEST, "INVALID_PARAMETER",
                "the query parameter '" + e.getParameterName() + "' is required");
    }

    @ExceptionHandler(MissingRequestHeaderException.class)
    ResponseEntity<ProblemDetail> missingHeader(MissingRequestHeaderException e) {
        return Problems.response(HttpStatus.BAD_REQUEST, "INVALID_PARAMETER",
                "the header '" + e.getHeaderName() + "' is required");
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<ProblemDetail> noResource(NoResourceFoundException e) {
        return Problems.response(HttpStatus.NOT_FOUND, "NOT_FOUND", "no such resource: /" + e.getResourcePath());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e) {
        ResponseEntity<ProblemDetail> r = Problems.response(HttpStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED",
                "the method " + e.getMethod() + " is not allowed here"
                        + (e.getSupportedHttpMethods() == null ? "" : "; allowed: " + e.getSupportedHttpMethods()
                        .stream().map(Object::toString).sorted().collect(Collectors.joining(", "))));
        return e.getSupportedHttpMethods() == null ? r : ResponseEntity.status(r.getStatusCode())
                .headers(r.getHeaders()).allow(e.getSupportedHttpMethods().toArray(HttpMethod[]::new)).body(r.getBody());
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e) {
        return Problems.response(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE",
                "the Content-Type " + (e.getContentType() == null ? "(none)" : "'" + e.getContentType() + "'")
                        + " is not accepted here; send one of " + e.getSupportedMediaTypes().stream()
                        .map(Object::toString).collect(Collectors.joining(", ")));
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e) {
        return Problems.response(HttpStatus.NOT_ACCEPTABLE, "NOT_ACCEPTABLE",
                "the Accept header asks for a type this endpoint cannot give; it gives " + e.getSupportedMediaTypes()
                        .stream().map(Object::toString).collect(Collectors.joining(", ")));
    }

    @ExceptionHandler(AsyncRequestNotUsableException.class)
    void clientGone(AsyncRequestNotUsableException e) {
        // The client hung up on a stream; there is no one left to answer.
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> internal(Exception e, HttpServletRequest request) {
        if (clientWentAway(e)) {
            // Nobody is left to answer, and a client hanging up is not a fault of the service.
            log.debug("The client went away during {} {}: {}", request.getMethod(), request.getRequestURI(), e.toString());
            return null;
        }
        log.error("Unexpected failure", e);
        return Problems.response(HttpStatus.INTERNAL_SERVER_ERROR,
                HttpErrorCodes.code(HttpStatus.INTERNAL_SERVER_ERROR),
                HttpErrorCodes.detail(HttpStatus.INTERNAL_SERVER_ERROR));
    }

    /** Whether the failure is the client closing the connection while its request was read or answered. */
    private static boolean clientWentAway(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ClientAbortException) {
                return true;
            }
        }
        return false;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
