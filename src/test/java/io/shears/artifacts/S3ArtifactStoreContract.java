package io.shears.artifacts;

import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract, plus what only a remote store has to get right: keys under the prefix, multipart uploads, verified
 * downloads, and a clear refusal of a bucket that is not there. Each test works under a prefix of its own in one
 * shared bucket, so tests see only their own objects.
 */
abstract class S3ArtifactStoreContract extends ArtifactStoreContract {
    static final long PART = S3ArtifactStore.MIN_PART_SIZE;

    String prefix;

    /** The server under test; it accepts the keys of {@code AwsTestCredentials}. */
    abstract URI endpoint();

    /** An existing bucket on it. */
    abstract String bucket();

    /** A client outside the store, to arrange and inspect objects behind its back; the caller closes it. */
    abstract S3Client rawClient();

    S3ArtifactStore.Settings settings(String bucket, String prefix) {
        return new S3ArtifactStore.Settings(endpoint(), "us-east-1", bucket, prefix, true, PART, PART);
    }

    @Override
    ArtifactStore newStore() throws Exception {
        prefix = "t-" + UUID.randomUUID();
        return S3ArtifactStore.connect(settings(bucket(), prefix));
    }

    S3ArtifactStore s3Store() {
        return (S3ArtifactStore) store;
    }

    @Test
    void objectsLiveUnderThePrefixByHash() throws Exception {
        byte[] content = random(5_000, 10);
        StoredBlob blob = store.put(write("p.bin", content));
        String key = prefix + "/sha256/" + blob.sha256().substring(0, 2) + "/" + blob.sha256();

        assertThat(s3Store().keyOf(blob.sha256())).isEqualTo(key);
        try (S3Client s3 = rawClient()) {
            assertThat(s3.headObject(r -> r.bucket(bucket()).key(key)).contentLength()).isEqualTo(content.length);
        }
    }

    @Test
    void aFileAtTheThresholdGoesUpInPartsAndLeavesNoUploadBehind() throws Exception {
        byte[] content = random(LARGE, 11);
        StoredBlob blob = store.put(write("large.bin", content));

        try (S3Client s3 = rawClient()) {
            // A multipart object's ETag is the MD5 of its parts' MD5s, suffixed with the number of parts.
            String etag = s3.headObject(r -> r.bucket(bucket()).key(s3Store().keyOf(blob.sha256()))).eTag();
            assertThat(etag.replace("\"", "")).endsWith("-3");
            assertThat(s3.listMultipartUploads(r -> r.bucket(bucket()).prefix(prefix)).uploads()).isEmpty();
        }
        assertThat(read(blob.sha256(), 0)).isEqualTo(content);
    }

    @Test
    void aCorruptObjectIsRefusedAndNothingIsCached() throws Exception {
        byte[] content = random(40_000, 12);
        StoredBlob blob = store.put(write("q.bin", content));
        byte[] tampered = content.clone();
        tampered[20_000] ^= 1;
        overwrite(blob.sha256(), tampered);
        Path cache = tmp.resolve("cache");

        assertThatThrownBy(() -> store.localFile(blob.sha256(), cache))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(blob.sha256())
                .hasMessageContaining("corrupt");
        try (var left = Files.list(cache)) {
            assertThat(left.toList()).as("no cached copy, no temporary file").isEmpty();
        }
    }

    @Test
    void putSkipsTheUploadWhenAnObjectOfThatLengthExists() throws Exception {
        byte[] content = random(8_000, 13);
        StoredBlob blob = store.put(write("r.bin", content));
        byte[] sameLength = random(8_000, 14);
        overwrite(blob.sha256(), sameLength);

        store.put(write("r2.bin", content));

        // The HEAD found an object of the right length, so nothing was sent: the object is still the stand-in.
        assertThat(read(blob.sha256(), 0)).isEqualTo(sameLength);
    }

    @Test
    void putReplacesAnObjectOfTheWrongLength() throws Exception {
        byte[] content = random(8_000, 15);
        StoredBlob blob = store.put(write("s.bin", content));
        overwrite(blob.sha256(), new byte[] {1, 2, 3});

        store.put(write("s2.bin", content));

        assertThat(store.localFile(blob.sha256(), tmp.resolve("cache"))).hasBinaryContent(content);
    }

    @Test
    void localFileDownloadsOnceAndReusesTheCopy() throws Exception {
        byte[] content = random(30_000, 16);
        StoredBlob blob = store.put(write("t.bin", content));
        Path cache = tmp.resolve("cache");
        Path first = store.localFile(blob.sha256(), cache);
        try (S3Client s3 = rawClient()) {
            s3.deleteObject(r -> r.bucket(bucket()).key(s3Store().keyOf(blob.sha256())));
        }

        assertThat(store.localFile(blob.sha256(), cache)).isEqualTo(first).hasBinaryContent(content);
        assertThat(first.getFileName().toString()).isEqualTo(blob.sha256());
    }

    @Test
    void connectingToAMissingBucketFailsAndSaysWhich() {
        String missing = "no-such-bucket-" + UUID.randomUUID().toString().substring(0, 8);

        assertThatThrownBy(() -> S3ArtifactStore.connect(settings(missing, "")))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'" + missing + "'")
                .hasMessageContaining(endpoint().toString())
                .hasMessageContaining("does not exist");
    }

    void overwrite(String sha256, byte[] content) {
        try (S3Client s3 = rawClient()) {
            s3.putObject(r -> r.bucket(bucket()).key(s3Store().keyOf(sha256)), RequestBody.fromBytes(content));
        }
    }
}
