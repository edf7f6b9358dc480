package io.shears.remote;

import io.shears.artifacts.S3Clients;
import io.shears.config.ImportProperties;
import io.shears.config.ServiceException;
import io.shears.config.ShearsProperties;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads models and datasets from, and writes job artifacts to, locations outside Shears: S3 (one configured server,
 * any bucket the credentials reach) and allow-listed https hosts. Content arrives as a stream, never whole in memory;
 * the caller spools it to disk with the limits of an upload.
 */
@Component
public class RemoteObjects implements AutoCloseable {
    public static final String URI_OBJECT_NOT_FOUND = "URI_OBJECT_NOT_FOUND";
    public static final String URI_ACCESS_DENIED = "URI_ACCESS_DENIED";

    /** An open download and its length when the server said (-1 otherwise); closing it ends the transfer. */
    public record Download(InputStream content, long length) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    private final ImportProperties settings;
    private final S3Clients s3Settings;
    /** The artifact store's bucket, when it is on S3: no tenant may read or write it by URI. */
    private final String storeBucket;
    private final HttpClient http;
    private S3Client s3;

    public RemoteObjects(ImportProperties settings, ShearsProperties shears) {
        this.settings = settings;
        ShearsProperties.S3 store = shears.artifacts().s3();
        ImportProperties.S3Endpoint own = settings.s3();
        this.storeBucket = shears.artifacts().type() == ShearsProperties.StoreType.S3 ? store.bucket() : null;
        String endpoint = blank(own.endpoint()) ? store.endpoint() : own.endpoint();
        this.s3Settings = new S3Clients(blank(endpoint) ? null : URI.create(endpoint.strip()),
                blank(own.region()) ? store.region() : own.region().strip(),
                own.pathStyle() != null ? own.pathStyle() : store.pathStyle());
        // Redirects are never followed: one could lead off the allow-list.
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(settings.timeout()).build();
    }

    /** Checks a client's URI: its scheme, and for https its host against the allow-list. */
    public RemoteUri source(String uri) {
        return RemoteUri.source(uri, settings.allowedHosts());
    }

    /** Starts the download; a missing object, a refusal or a server that cannot be reached is thrown here. */
    public Download open(RemoteUri source) {
        if (isStoreBucket(source)) {
            throw ServiceException.invalid(URI_ACCESS_DENIED, "the bucket '" + source.bucket() + "' holds Shears' "
                    + "own artifacts; it cannot be read by URI");
        }
        return source.scheme() == RemoteUri.Scheme.S3 ? openS3(source) : openHttps(source);
    }

    /** Writes {@code file} to {@code <prefix>name}. */
    public void write(RemoteUri prefix, String name, Path file) throws IOException {
        String key = prefix.key() + name;
        if (isStoreBucket(prefix)) {
            throw new IOException("the bucket '" + prefix.bucket() + "' holds Shears' own artifacts; job outputs "
                    + "cannot be written there");
        }
        long length = Files.size(file);
        try {
            s3().putObject(r -> r.bucket(prefix.bucket()).key(key).contentLength(length),
                    RequestBody.fromFile(file));
        } catch (S3Exception e) {
            throw new IOException("could not write s3://" + prefix.bucket() + "/" + key + ": HTTP " + e.statusCode()
                    + " " + (e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode()), e);
        } catch (SdkException e) {
            throw new IOException("could not write s3://" + prefix.bucket() + "/" + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (s3 != null) {
            s3.close();
        }
    }

    private Download openS3(RemoteUri source) {
        try {
            ResponseInputStream<GetObjectResponse> content = s3().getObject(r -> r.bucket(source.bucket())
                    .key(source.key()));
            Long length = content.response().contentLength();
            return new Download(failingAsUnreachable(content, source), length == null ? -1 : length);
        } catch (S3Exception e) {
            throw switch (e.statusCode()) {
                case 404 -> ServiceException.invalid(URI_OBJECT_NOT_FOUND, "no object " + source
                        + " (or no bucket '" + source.bucket() + "')");
                case 401, 403 -> ServiceException.invalid(URI_ACCESS_DENIED, "the S3 server refused to read "
                        + source + " with Shears' credentials");
                default -> new RemoteUnreachableException("the S3 server answered HTTP " + e.statusCode()
                        + " for " + source, e);
            };
        } catch (SdkException e) {
            throw new RemoteUnreachableException("cannot reach the S3 server for " + source + ": "
                    + e.getMessage(), e);
        }
    }

    private Download openHttps(RemoteUri source) {
        HttpRequest request = HttpRequest.newBuilder(source.uri()).timeout(settings.timeout()).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new RemoteUnreachableException("cannot reach " + source + ": " + reason(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteUnreachableException("interrupted while connecting to " + source, e);
        }
        int status = response.statusCode();
        if (status == 200) {
            long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            return new Download(failingAsUnreachable(response.body(), source), length);
        }
        try {
            response.body().close();
        } catch (IOException e) {
            // The answer is already known; an unread body left open would only hold the connection.
        }
        throw switch (status) {
            case 404, 410 -> ServiceException.invalid(URI_OBJECT_NOT_FOUND, "nothing at " + source + " (HTTP "
                    + status + ")");
            case 401, 403 -> ServiceException.invalid(URI_ACCESS_DENIED, source + " refused the download (HTTP "
                    + status + ")");
            default -> new RemoteUnreachableException(source + " answered HTTP " + status
                    + (status / 100 == 3 ? " (redirects are not followed)" : ""), null);
        };
    }

    private boolean isStoreBucket(RemoteUri uri) {
        return uri.scheme() == RemoteUri.Scheme.S3 && uri.bucket().equals(storeBucket);
    }

    private synchronized S3Client s3() {
        if (s3 == null) {
            s3 = s3Settings.client();
        }
        return s3;
    }

    /** A transfer that breaks off is the remote side's fault, not the service's, and is answered as such. */
    private static InputStream failingAsUnreachable(InputStream in, RemoteUri source) {
        return new FilterInputStream(in) {
            @Override
            public int read() {
                try {
                    return super.read();
                } catch (IOException | SdkException e) {
                    throw broke(e);
                }
            }

            @Override
            public int read(byte[] b, int off, int len) {
                try {
                    return super.read(b, off, len);
                } catch (IOException | SdkException e) {
                    throw broke(e);
                }
            }

            private RemoteUnreachableException broke(Exception e) {
                return new RemoteUnreachableException("the download of " + source + " broke off: " + reason(e), e);
            }
        };
    }

    /** What went wrong in words, without the Java type names that exceptions' own texts carry. */
    private static String reason(Exception e) {
        if (e instanceof java.net.http.HttpConnectTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (e instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (e instanceof javax.net.ssl.SSLException) {
            return "TLS failed (" + e.getMessage() + ")";
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? "the connection failed" : message;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
