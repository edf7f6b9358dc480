package io.shears.artifacts;

import io.shears.files.AtomicFiles;
import io.shears.files.Sha256;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.PresignedGetObjectRequest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Blobs in an S3 bucket (AWS, MinIO, S3Proxy, ...) under {@code <prefix>sha256/ab/abcdef…}, for deployments whose
 * API and worker processes run on different machines.
 *
 * <p>Writes are atomic without any rename: S3 makes an object visible only when its PUT, or the Complete of its
 * multipart upload, succeeds, so readers see either no object or the whole of it. A failed multipart upload is
 * aborted, so its parts do not linger (and cost) in the bucket.
 */
public final class S3ArtifactStore implements ArtifactStore, AutoCloseable {
    /** S3 refuses parts smaller than this, except the last one. */
    public static final long MIN_PART_SIZE = 5L * 1024 * 1024;
    /** S3 accepts at most this many parts in one upload. */
    private static final int MAX_PARTS = 10_000;

    /**
     * @param endpoint null for AWS itself; otherwise the URL of a compatible server
     * @param prefix   prepended to every key; a {@code /} is added when it lacks one
     */
    public record Settings(URI endpoint, String region, String bucket, String prefix, boolean pathStyle,
                           long multipartThreshold, long partSize) {
        public Settings {
            if (bucket == null || bucket.isBlank()) {
                throw new IllegalArgumentException("an S3 artifact store needs a bucket");
            }
            if (region == null || region.isBlank()) {
                throw new IllegalArgumentException("an S3 artifact store needs a region");
            }
            if (partSize < MIN_PART_SIZE) {
                throw new IllegalArgumentException("S3 parts must be at least 5 MiB, got " + partSize + " bytes");
            }
            if (multipartThreshold < 1) {
                throw new IllegalArgumentException("the multipart threshold must be positive: " + multipartThreshold);
            }
            prefix = prefix == null ? "" : prefix.replaceFirst("^/+", "");
            if (!prefix.isEmpty() && !prefix.endsWith("/")) {
                prefix = prefix + "/";
            }
        }

        /** The bucket's server, region and addressing, for the clients that talk to it. */
        public S3Clients clients() {
            return new S3Clients(endpoint, region, pathStyle);
        }

        /** Where the bucket is, for messages that must say which store failed. */
        public String where() {
            return "bucket '" + bucket + "' at " + (endpoint == null ? "AWS S3 (" + region + ")" : endpoint);
        }
    }

    private final S3Client s3;
    private final Settings settings;
    private final S3Presigner presigner;
    private final Duration presignedLifetime;

    private S3ArtifactStore(S3Client s3, Settings settings, S3Presigner presigner, Duration presignedLifetime) {
        this.s3 = s3;
        this.settings = settings;
        this.presigner = presigner;
        this.presignedLifetime = presignedLifetime;
    }

    /**
     * Connects and checks that the bucket exists, so a misconfigured deployment fails at start instead of at its
     * first upload.
     */
    public static S3ArtifactStore connect(Settings settings) throws IOException {
        return connect(settings, null);
    }

    /**
     * The same, and with a {@code presignedLifetime} downloads go straight to the bucket: {@link #directDownload}
     * hands out presigned GET URLs valid that long, so the API redirects instead of relaying the bytes.
     */
    public static S3ArtifactStore connect(Settings settings, Duration presignedLifetime) throws IOException {
        S3Client client = settings.clients().client();
        try {
            client.headBucket(b -> b.bucket(settings.bucket()));
        } catch (S3Exception e) {
            client.close();
            throw new IOException(e.statusCode() == 404
                    ? "the S3 " + settings.where() + " does not exist; create it first"
                    : "cannot use the S3 " + settings.where() + ": HTTP " + e.statusCode() + " "
                    + e.awsErrorDetails().errorCode(), e);
        } catch (SdkException e) {
            client.close();
            throw new IOException("cannot reach the S3 " + settings.where() + ": " + e.getMessage(), e);
        }
        return new S3ArtifactStore(client, settings, presignedLifetime == null ? null
                : settings.clients().presigner(), presignedLifetime);
    }

    public Settings settings() {
        return settings;
    }

    /** The object key of a blob. */
    public String keyOf(String sha256) {
        if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        }
        return settings.prefix() + "sha256/" + sha256.substring(0, 2) + "/" + sha256;
    }

    @Override
    public StoredBlob put(Path file) throws IOException {
        MessageDigest md5 = md5();
        StoredBlob blob;
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md5)) {
            blob = BlobHashing.of(in);
        }
        String key = keyOf(blob.sha256());
        if (head(key).map(HeadObjectResponse::contentLength).filter(n -> n == blob.bytes()).isPresent()) {
            return blob;
        }
        try {
            if (blob.bytes() < settings.multipartThreshold()) {
                putSingle(file, blob, key, base64(md5.digest()));
            } else {
                putMultipart(file, blob, key);
            }
        } catch (SdkException e) {
            throw new IOException("could not store blob " + blob.sha256() + " in the S3 " + settings.where(), e);
        }
        // Content-MD5 lets the server refuse damaged bodies, but not a server that stored a different length (or
        // none at all behind a misbehaving proxy); localFile checks the SHA-256 of every download.
        long stored = head(key).map(HeadObjectResponse::contentLength).orElse(-1L);
        if (stored != blob.bytes()) {
            deleteQuietly(key);
            throw new IOException("the S3 " + settings.where() + " holds " + stored + " bytes for blob "
                    + blob.sha256() + " after its upload, expected " + blob.bytes());
        }
        return blob;
    }

    /**
     * Content-MD5 rather than the SHA-256 checksum header: AWS, MinIO and S3Proxy all verify it, while S3Proxy
     * answers 501 Not Implemented to {@code x-amz-checksum-sha256}. The MD5 comes from the same read as the SHA-256,
     * so a file that changed since it was hashed is refused by the server instead of stored under the old address.
     */
    private void putSingle(Path file, StoredBlob blob, String key, String md5) {
        s3.putObject(r -> r.bucket(settings.bucket()).key(key).contentLength(blob.bytes())
                .contentType("application/octet-stream").contentMD5(md5), RequestBody.fromFile(file));
    }

    /**
     * Each part is read into memory once and hashed as it is sent, so the parts carry exactly the bytes whose
     * SHA-256 names the object; a file that changed since it was hashed aborts the upload instead of publishing
     * wrong content under the old address.
     */
    private void putMultipart(Path file, StoredBlob blob, String key) throws IOException {
        long partSize = Math.max(settings.partSize(), ceilDiv(blob.bytes(), MAX_PARTS));
        if (partSize > Integer.MAX_VALUE - 8) {
            throw new IOException("blob " + blob.sha256() + " is too large for S3: " + blob.bytes() + " bytes");
        }
        String uploadId = s3.createMultipartUpload(r -> r.bucket(settings.bucket()).key(key)
                .contentType("application/octet-stream")).uploadId();
        boolean completed = false;
        try {
            MessageDigest digest = Sha256.newDigest();
            List<CompletedPart> parts = new ArrayList<>();
            byte[] buffer = new byte[(int) partSize];
            try (InputStream in = Files.newInputStream(file)) {
                for (int number = 1; ; number++) {
                    int n = in.readNBytes(buffer, 0, buffer.length);
                    if (n == 0 && number > 1) {
                        break;
                    }
                    digest.update(buffer, 0, n);
                    MessageDigest partMd5 = md5();
                    partMd5.update(buffer, 0, n);
                    String partChecksum = base64(partMd5.digest());
                    int partNumber = number;
                    String etag = s3.uploadPart(r -> r.bucket(settings.bucket()).key(key).uploadId(uploadId)
                                    .partNumber(partNumber).contentLength((long) n).contentMD5(partChecksum),
                            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, n), n,
                                    "application/octet-stream")).eTag();
                    parts.add(CompletedPart.builder().partNumber(partNumber).eTag(etag).build());
                    if (n < buffer.length) {
                        break;
                    }
                }
            }
            String sent = Sha256.hex(digest);
            if (!sent.equals(blob.sha256())) {
                throw new IOException("the file changed while it was stored: " + file);
            }
            s3.completeMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
            completed = true;
        } finally {
            if (!completed) {
                try {
                    s3.abortMultipartUpload(r -> r.bucket(settings.bucket()).key(key).uploadId(uploadId));
                } catch (SdkException e) {
                    // The original failure matters more; a lifecycle rule on the bucket reaps what is left.
                }
            }
        }
    }

    @Override
    public Optional<Long> size(String sha256) throws IOException {
        return head(keyOf(sha256)).map(HeadObjectResponse::contentLength);
    }

    @Override
    public InputStream open(String sha256, long offset) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("negative offset " + offset);
        }
        String key = keyOf(sha256);
        try {
            return s3.getObject(r -> {
                r.bucket(settings.bucket()).key(key);
                if (offset > 0) {
                    r.range("bytes=" + offset + "-");
                }
            });
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                throw new NoSuchFileException("no blob " + sha256);
            }
            if (e.statusCode() == 416) {
                // A range that starts at or past the end: S3 refuses it, a file would read nothing.
                return InputStream.nullInputStream();
            }
            throw new IOException("could not read blob " + sha256 + " from the S3 " + settings.where(), e);
        } catch (SdkException e) {
            throw new IOException("could not read blob " + sha256 + " from the S3 " + settings.where(), e);
        }
    }

    /**
     * The download lands in a temporary file next to its target and is renamed into place only once its SHA-256
     * matches, so {@code cacheDir/<sha256>} is always a complete, verified copy that later calls can reuse.
     */
    @Override
    public Path localFile(String sha256, Path cacheDir) throws IOException {
        String key = keyOf(sha256); // refuses a malformed digest before it becomes a file name
        Path target = cacheDir.resolve(sha256);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(cacheDir);
        Path temp = Files.createTempFile(cacheDir, sha256, ".part");
        try {
            MessageDigest digest = Sha256.newDigest();
            try (InputStream in = new DigestInputStream(open(sha256, 0), digest)) {
                Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            }
            String got = Sha256.hex(digest);
            if (!got.equals(sha256)) {
                throw new IOException("blob " + sha256 + " in the S3 " + settings.where() + " is corrupt: " + key
                        + " has SHA-256 " + got);
            }
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                AtomicFiles.moveIntoPlace(temp, target);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the cache directory must support atomic renames: " + cacheDir, e);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
        return target;
    }

    /**
     * Signing is local (no request to the server), so this costs no round trip; the URL names the filename and media
     * type the API would have sent, as S3's response-header overrides.
     */
    @Override
    public Optional<URI> directDownload(String sha256, String filename, String mediaType) {
        if (presigner == null) {
            return Optional.empty();
        }
        String key = keyOf(sha256);
        String disposition = attachment(filename);
        PresignedGetObjectRequest signed = presigner.presignGetObject(p -> p.signatureDuration(presignedLifetime)
                .getObjectRequest(g -> g.bucket(settings.bucket()).key(key).responseContentType(mediaType)
                        .responseContentDisposition(disposition)));
        try {
            return Optional.of(signed.url().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException("the SDK signed a malformed URL: " + signed.url(), e);
        }
    }

    @Override
    public void delete(String sha256) throws IOException {
        String key = keyOf(sha256);
        try {
            s3.deleteObject(r -> r.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            throw new IOException("could not delete blob " + sha256 + " from the S3 " + settings.where(), e);
        }
    }

    @Override
    public void close() {
        try {
            s3.close();
        } finally {
            if (presigner != null) {
                presigner.close();
            }
        }
    }

    private Optional<HeadObjectResponse> head(String key) throws IOException {
        try {
            return Optional.of(s3.headObject(r -> r.bucket(settings.bucket()).key(key)));
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw new IOException("could not look up " + key + " in the S3 " + settings.where(), e);
        } catch (SdkException e) {
            throw new IOException("could not look up " + key + " in the S3 " + settings.where(), e);
        }
    }

    private void deleteQuietly(String key) {
        try {
            s3.deleteObject(r -> r.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            // The caller reports the upload's failure; a wrong-length object is replaced by the next put anyway.
        }
    }

    /** RFC 6266: an ASCII fallback for old clients, and the exact name in RFC 8187 form for the rest. */
    private static String attachment(String filename) {
        String ascii = filename.replaceAll("[^\\x20-\\x7e]|[\"\\\\]", "_");
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''"
                + URLEncoder.encode(filename, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has MD5", e);
        }
    }

    private static String base64(byte[] digest) {
        return Base64.getEncoder().encodeToString(digest);
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }
}
