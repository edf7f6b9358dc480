package io.shears.remote;

/**
 * The remote server did not deliver: no connection, a timeout, a redirect (never followed, as it could leave the
 * allow-list), an error status, or a read that broke off. The API answers 502, the client may retry.
 */
public class RemoteUnreachableException extends RuntimeException {
    public static final String CODE = "URI_UNREACHABLE";

    public RemoteUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }

    public String code() {
        return CODE;
    }
}
