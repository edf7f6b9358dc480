package io.shears.api;

import io.shears.api.RangeSelection.Parts;
import io.shears.api.RangeSelection.Span;
import io.shears.api.RangeSelection.Unsatisfiable;
import io.shears.api.RangeSelection.Whole;
import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.LazyBlobStream;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.util.MimeTypeUtils;
import org.springframework.web.context.request.NativeWebRequest;

import java.io.InputStream;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;

/**
 * Streams a stored blob: {@code ETag} and {@code Repr-Digest} (RFC 9530) from its SHA-256, {@code Content-Length},
 * conditional requests, and {@code Range} and {@code If-Range} as {@link RangeSelection} decides.
 *
 * <p>Spring MVC would serve ranges of a {@link Resource} body itself, but only partly as RFC 9110 says: it answers an
 * invalid range with 416 and the whole body, ignores {@code If-Range}, and serves any number of ranges. So every body
 * here is an {@link InputStreamResource}, the one kind Spring leaves alone, and this class frames the ranges.
 */
@Component
public class BlobResponses {
    private final ArtifactStore store;

    public BlobResponses(ArtifactStore store) {
        this.store = store;
    }

    /**
     * The answer to a GET or HEAD of the blob; null when Spring has answered a condition (304 or 412). A store that
     * serves downloads itself (presigned S3 URLs) gets a GET redirected to it.
     */
    public ResponseEntity<Resource> serve(NativeWebRequest request, String sha256, long bytes, MediaType type,
                                          String filename) {
        String etag = "\"" + sha256 + "\"";
        // Preconditions come before Range (RFC 9110 section 13.2.2): a matching If-None-Match is a 304, not a 206.
        if (request.checkNotModified(etag)) {
            return null;
        }
        HttpServletRequest http = request.getNativeRequest(HttpServletRequest.class);
        if (HttpMethod.GET.matches(http.getMethod())) {
            // A presigned URL is signed for GET only, so HEAD is still answered here. 307 keeps the method and the
            // Range header; the URL expires, so the redirect must not be cached.
            var direct = store.directDownload(sha256, filename, type.toString());
            if (direct.isPresent()) {
                return ResponseEntity.status(HttpStatus.TEMPORARY_REDIRECT).location(direct.get()).eTag(etag)
                        .cacheControl(CacheControl.noStore()).build();
            }
        }
        var choice = RangeSelection.select(http.getMethod(), Collections.list(http.getHeaders(HttpHeaders.RANGE)),
                Collections.list(http.getHeaders(HttpHeaders.IF_RANGE)), etag, bytes);
        HttpStatus status = choice instanceof Whole ? HttpStatus.OK
                : choice instanceof Parts ? HttpStatus.PARTIAL_CONTENT : HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE;
        ResponseEntity.BodyBuilder answer = ResponseEntity.status(status)
                .eTag(etag)
                .header("Repr-Digest", "sha-256=:" + Base64.getEncoder().encodeToString(
                        HexFormat.of().parseHex(sha256)) + ":")
                .header(HttpHeaders.ACCEPT_RANGES, "bytes");
        if (choice instanceof Unsatisfiable) {
            // An empty body: the client asked for bytes that do not exist, and Content-Range says how many do.
            return answer.header(HttpHeaders.CONTENT_RANGE, "bytes */" + bytes).contentLength(0).build();
        }
        answer.header(HttpHeaders.CONTENT_DISPOSITION,
                ContentDisposition.attachment().filename(filename).build().toString());
        if (!(choice instanceof Parts parts)) {
            return answer.contentType(type).contentLength(bytes).body(body(new LazyBlobStream(store, sha256, bytes)));
        }
        if (parts.spans().size() == 1) {
            Span s = parts.spans().get(0);
            return answer.header(HttpHeaders.CONTENT_RANGE, "bytes " + s.first() + "-" + s.last() + "/" + bytes)
                    .contentType(type)
                    .contentLength(s.length())
                    .body(body(span(sha256, s)));
        }
        var multipart = new MultipartByteranges(parts.spans(), type.toString(), bytes,
                MimeTypeUtils.generateMultipartBoundaryString());
        return answer.header(HttpHeaders.CONTENT_TYPE, multipart.mediaType())
                .contentLength(multipart.length())
                .body(body(multipart.body(s -> span(sha256, s))));
    }

    private InputStream span(String sha256, Span s) {
        return new LazyBlobStream(store, sha256, s.first(), s.length());
    }

    /** Exactly an InputStreamResource: Spring MVC applies its own Range handling to every other Resource in a 200. */
    private static Resource body(InputStream content) {
        return new InputStreamResource(content);
    }
}
