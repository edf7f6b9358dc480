package io.shears.remote;

import io.shears.config.ServiceException;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * A model's or dataset's location outside Shears: {@code s3://bucket/key}, or {@code https://host/path} from a host
 * on the allow-list. Plain {@code http://} is refused: its bytes could be changed on the way, and the allow-list
 * could be bypassed by anyone on the path.
 *
 * @param bucket the S3 bucket (null for https)
 * @param key    the S3 object key, or the prefix of an output location (null for https)
 */
public record RemoteUri(URI uri, Scheme scheme, String bucket, String key) {
    public static final String URI_INVALID = "URI_INVALID";
    public static final String URI_SCHEME_NOT_ALLOWED = "URI_SCHEME_NOT_ALLOWED";
    public static final String URI_HOST_NOT_ALLOWED = "URI_HOST_NOT_ALLOWED";
    private static final int MAX_LENGTH = 2048;
    /** S3's bucket naming rules, lower-case DNS labels of 3..63 characters. */
    static final String BUCKET = "[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]";

    public enum Scheme {
        S3, HTTPS
    }

    /** Where to fetch an upload from. */
    public static RemoteUri source(String text, List<String> allowedHttpsHosts) {
        URI uri = parse(text);
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("s3")) {
            RemoteUri s3 = s3(uri, text);
            if (s3.key().isEmpty() || s3.key().endsWith("/")) {
                throw ServiceException.invalid(URI_INVALID, "'" + text + "' names no object: s3://bucket/key");
            }
            return s3;
        }
        if (!scheme.equals("https")) {
            throw ServiceException.invalid(URI_SCHEME_NOT_ALLOWED, "only s3:// and https:// URIs are fetched, got "
                    + scheme + "://");
        }
        String host = uri.getHost();
        if (host == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            throw ServiceException.invalid(URI_INVALID, "'" + text + "' is not an https URL with a host, without "
                    + "user info or fragment");
        }
        String lower = host.toLowerCase(Locale.ROOT);
        if (allowedHttpsHosts.stream().noneMatch(h -> h.strip().equalsIgnoreCase(lower))) {
            throw ServiceException.invalid(URI_HOST_NOT_ALLOWED, "the host '" + lower + "' is not on "
                    + "shears.import.allowed-hosts");
        }
        return new RemoteUri(uri, Scheme.HTTPS, null, null);
    }

    /** Where a job writes its artifacts: {@code s3://bucket/} or {@code s3://bucket/prefix/}. */
    public static RemoteUri s3Prefix(String text) {
        URI uri = parse(text);
        if (!uri.getScheme().equalsIgnoreCase("s3")) {
            throw ServiceException.invalid(URI_SCHEME_NOT_ALLOWED, "an output location is an s3:// URI");
        }
        RemoteUri s3 = s3(uri, text);
        String prefix = s3.key().isEmpty() || s3.key().endsWith("/") ? s3.key() : s3.key() + "/";
        return new RemoteUri(uri, Scheme.S3, s3.bucket(), prefix);
    }

    /** The last segment of the path, the default display name of what is fetched from here. */
    public String fileName() {
        String path = uri.getPath() == null ? "" : uri.getPath();
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.isBlank() ? null : last;
    }

    /** The text a client gave, for messages. */
    @Override
    public String toString() {
        return uri.toString();
    }

    private static URI parse(String text) {
        if (text == null || text.isBlank()) {
            throw ServiceException.invalid(URI_INVALID, "uri is required: s3://bucket/key or https://host/path");
        }
        if (text.length() > MAX_LENGTH) {
            throw ServiceException.invalid(URI_INVALID, "the URI is longer than " + MAX_LENGTH + " characters");
        }
        try {
            URI uri = new URI(text.strip());
            if (uri.getScheme() == null || uri.isOpaque()) {
                throw ServiceException.invalid(URI_INVALID, "'" + text + "' is not an absolute URI such as "
                        + "s3://bucket/key");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw ServiceException.invalid(URI_INVALID, "'" + text + "' is not a URI: " + e.getReason());
        }
    }

    /** The key is the decoded path (a space may be written %20), without its leading slash. */
    private static RemoteUri s3(URI uri, String text) {
        String bucket = uri.getRawAuthority();
        if (bucket == null || !bucket.matches(BUCKET) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw ServiceException.invalid(URI_INVALID, "'" + text + "' is not s3://bucket/key with a valid bucket "
                    + "name and no query or fragment");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        return new RemoteUri(uri, Scheme.S3, bucket, path.startsWith("/") ? path.substring(1) : path);
    }
}
