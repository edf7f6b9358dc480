package io.shears.artifacts;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Content-addressed blob storage for uploaded models and datasets and for job artifacts. A blob is either absent or
 * complete: writers publish it atomically under its SHA-256, so readers never see a partial file, and storing the
 * same content twice keeps one copy.
 */
public interface ArtifactStore {
    /** Stores the file's content (the file itself is left alone) and returns its address. */
    StoredBlob put(Path file) throws IOException;

    /** The blob's length, if the store holds it. */
    Optional<Long> size(String sha256) throws IOException;

    /** Opens the blob for reading from {@code offset}. */
    InputStream open(String sha256, long offset) throws IOException;

    /**
     * A local file with the blob's content, for readers that need random access (model and dataset readers). A
     * store on local disk returns its own file, which the caller must not change; a remote store downloads into
     * {@code cacheDir} once.
     */
    Path localFile(String sha256, Path cacheDir) throws IOException;

    void delete(String sha256) throws IOException;

    /**
     * Where a client may download the blob itself, bypassing the API, when this store serves downloads that way; empty
     * when the API relays the bytes.
     */
    default Optional<URI> directDownload(String sha256, String filename, String mediaType) {
        return Optional.empty();
    }
}
