package io.shears.api;

import org.springframework.http.HttpStatus;

/**
 * The problem+json answer for a status that Tomcat or the servlet container set before any controller could say
 * more: a malformed request line or header, an encoded slash, a method the servlet refuses. One code per status.
 */
final class HttpErrorCodes {
    private HttpErrorCodes() {
    }

    static String code(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "MALFORMED_REQUEST";
            case UNAUTHORIZED -> "UNAUTHENTICATED";
            case FORBIDDEN -> "FORBIDDEN";
            case NOT_FOUND -> "NOT_FOUND";
            case METHOD_NOT_ALLOWED -> "METHOD_NOT_ALLOWED";
            case REQUEST_TIMEOUT -> "REQUEST_TIMEOUT";
            case CONTENT_TOO_LARGE -> "UPLOAD_TOO_LARGE";
            case URI_TOO_LONG -> "URI_TOO_LONG";
            case UNSUPPORTED_MEDIA_TYPE -> "UNSUPPORTED_MEDIA_TYPE";
            case REQUEST_HEADER_FIELDS_TOO_LARGE -> "HEADERS_TOO_LARGE";
            case SERVICE_UNAVAILABLE -> "UNAVAILABLE";
            default -> status.is5xxServerError() ? "INTERNAL" : "REQUEST_REJECTED";
        };
    }

    static String detail(HttpStatus status) {
        return switch (status) {
            case BAD_REQUEST -> "the request is not valid HTTP: a malformed request line, path, header or length";
            case METHOD_NOT_ALLOWED -> "this method is not allowed here";
            case NOT_FOUND -> "no such resource";
            case URI_TOO_LONG, REQUEST_HEADER_FIELDS_TOO_LARGE -> "the request's line or headers are too large";
            default -> status.is5xxServerError() ? "the service failed unexpectedly; the failure is logged"
                    : "the request was refused: " + status.getReasonPhrase();
        };
    }
}
