package io.shears.testing;

/**
 * The keys the tests' S3 servers (S3Proxy, MinIO) accept. Shears reads credentials only through the AWS SDK's
 * default chain, so tests hand them over the way an operator could: as the {@code aws.accessKeyId} and
 * {@code aws.secretAccessKey} system properties.
 */
public final class AwsTestCredentials {
    public static final String ACCESS_KEY = "shears-test-access";
    public static final String SECRET_KEY = "shears-test-secret-key";

    private AwsTestCredentials() {
    }

    /** Sets the two system properties until the returned handle is closed, which restores what was there. */
    public static Installed install() {
        return new Installed(System.getProperty("aws.accessKeyId"), System.getProperty("aws.secretAccessKey"));
    }

    public static final class Installed implements AutoCloseable {
        private final String previousKey;
        private final String previousSecret;

        private Installed(String previousKey, String previousSecret) {
            this.previousKey = previousKey;
            this.previousSecret = previousSecret;
            System.setProperty("aws.accessKeyId", ACCESS_KEY);
            System.setProperty("aws.secretAccessKey", SECRET_KEY);
        }

        @Override
        public void close() {
            restore("aws.accessKeyId", previousKey);
            restore("aws.secretAccessKey", previousSecret);
        }

        private static void restore(String name, String value) {
            if (value == null) {
                System.clearProperty(name);
            } else {
                System.setProperty(name, value);
            }
        }
    }
}
