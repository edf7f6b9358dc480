package io.shears.config;

/**
 * A request the service refuses, in domain terms: the kind of refusal (the API turns it into an HTTP status), a
 * stable code for machines and a message for people.
 */
public class ServiceException extends RuntimeException {
    public enum Kind {
        INVALID, NOT_FOUND, CONFLICT, TOO_LARGE, UNAVAILABLE
    }

    private final Kind kind;
    private final String code;

    public ServiceException(Kind kind, String code, String message) {
        super(message);
        this.kind = kind;
        this.code = code;
    }

    public Kind kind() {
        return kind;
    }

    public String code() {
        return code;
    }

    /** Another tenant's resource is reported exactly like a missing one, so ids leak nothing. */
    public static ServiceException notFound(String what, String id) {
        return new ServiceException(Kind.NOT_FOUND, "NOT_FOUND", "no " + what + " '" + id + "'");
    }

    public static ServiceException conflict(String code, String message) {
        return new ServiceException(Kind.CONFLICT, code, message);
    }

    public static ServiceException invalid(String code, String message) {
        return new ServiceException(Kind.INVALID, code, message);
    }
}
