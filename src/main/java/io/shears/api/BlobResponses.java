package io.shears.api;

import io.shears.artifacts.ArtifactStore;
import io.shears.artifacts.LazyBlobStream;
import org.springframework.core.io.AbstractResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Streams a stored blob: {@code ETag} and {@code Repr-Digest} (RFC 9530) from its SHA-256, {@code Content-Length},
 * and {@code Range} requests (Spring MVC serves ranges of a {@link Resource} body).
 */
@Component
public class BlobResponses {
    private final ArtifactStore store;

    public BlobResponses(ArtifactStore store) {
        this.store = store;
    }

    public ResponseEntity<Resource> serve(String sha256, long bytes, MediaType type, String filename) {
        String digest = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256));
        return ResponseEntity.ok()
                .eTag("\"" + sha256 + "\"")
                .contentType(type)
                .contentLength(bytes)
                .header("Repr-Digest", "sha-256=:" + digest + ":")
                .header(HttpHeaders.ACCEPT_RANGES, "bytes")
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(filename).build().toString())
                .body(new BlobResource(store, sha256, bytes, filename));
    }

    /** Each read opens the blob afresh, so range requests can read it more than once, each from its start. */
    private static final class BlobResource extends AbstractResource {
        private final ArtifactStore store;
        private final String sha256;
        private final long bytes;
        private final String filename;

        BlobResource(ArtifactStore store, String sha256, long bytes, String filename) {
            this.store = store;
            this.sha256 = sha256;
            this.bytes = bytes;
            this.filename = filename;
        }

        @Override
        public InputStream getInputStream() {
            return new LazyBlobStream(store, sha256, bytes);
        }

        @Override
        public long contentLength() {
            return bytes;
        }

        @Override
        public String getFilename() {
            return filename;
        }

        @Override
        public boolean exists() {
            return true;
        }

        @Override
        public String getDescription() {
            return "blob " + sha256;
        }
    }
}
