package io.shears.config;

import io.shears.Role;
import io.shears.data.DatasetLimits;
import io.shears.engine.EngineWarmUp;
import io.shears.engine.latency.LatencyMeter;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The service's own settings ({@code shears.*}). A default is written once: here, or in the library this reads it
 * from; application.yml sets only what the embedded deployment chooses (role, directories, limits).
 */
@ConfigurationProperties("shears")
public record ShearsProperties(Role role, String workerName, Path dataDir, Artifacts artifacts, Path workDir,
                               Uploads uploads, Jobs jobs, Callbacks callbacks, Security security, Engine engine) {

    /** {@code workerName} names this process in job records; it defaults to {@code <pid>@<host>}. */
    public ShearsProperties {
        engine = engine == null ? new Engine(null, null, null, null, null) : engine;
        if (workerName == null || workerName.isBlank()) {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.net.UnknownHostException e) {
                host = "unknown-host";
            }
            workerName = ProcessHandle.current().pid() + "@" + host;
        }
    }

    /**
     * @param type where blobs live: {@code filesystem} (under {@code dir}, the embedded default) or {@code s3}
     * @param dir  the filesystem store's directory
     * @param s3   the S3 store's settings, read only when {@code type} is {@code s3}
     */
    public record Artifacts(StoreType type, Path dir, S3 s3) {
        public Artifacts {
            type = type == null ? StoreType.FILESYSTEM : type;
            s3 = s3 == null ? new S3(null, null, null, null, false, null, null, false, null) : s3;
        }
    }

    public enum StoreType {
        FILESYSTEM, S3
    }

    /**
     * An S3-compatible store. Credentials come from the AWS SDK's default chain (environment, system properties,
     * web identity/IRSA, instance profile), never from Shears' own settings, so no secret sits in its config.
     *
     * @param endpoint           empty for AWS; the URL of MinIO, S3Proxy or another compatible server
     * @param bucket             must exist; the service refuses to start without it
     * @param prefix             prepended to every key, so several deployments can share a bucket
     * @param pathStyle          {@code bucket} in the path rather than the host name, as MinIO needs
     * @param multipartThreshold files this large or larger go up in parts
     * @param partSize           the size of each part (S3 needs at least 5 MiB)
     * @param presign            downloads answer 307 to a presigned URL of the object instead of relaying its bytes
     * @param presignLifetime    how long such a URL stays valid
     */
    public record S3(String endpoint, String region, String bucket, String prefix, boolean pathStyle,
                     DataSize multipartThreshold, DataSize partSize, boolean presign, Duration presignLifetime) {
        public S3 {
            presignLifetime = presignLifetime == null ? Duration.ofMinutes(15) : presignLifetime;
            region = region == null || region.isBlank() ? "us-east-1" : region;
            prefix = prefix == null ? "" : prefix;
            multipartThreshold = multipartThreshold == null ? DataSize.ofMegabytes(64) : multipartThreshold;
            partSize = partSize == null ? DataSize.ofMegabytes(16) : partSize;
        }
    }

    /**
     * @param maxDatasetClasses     a dataset with more classes is refused with DATASET_TOO_MANY_CLASSES
     * @param maxConcurrentAnalyses dataset uploads analysed at once; 0 or unset for the core count
     * @param analysisWait          how long an upload waits for an analysis slot before it is answered 503
     */
    public record Uploads(DataSize maxModelBytes, DataSize maxDatasetBytes, Integer maxDatasetClasses,
                          Integer maxConcurrentAnalyses, Duration analysisWait) {
        public Uploads {
            maxDatasetClasses = maxDatasetClasses == null ? DatasetLimits.DEFAULT_MAX_CLASSES : maxDatasetClasses;
            maxConcurrentAnalyses = maxConcurrentAnalyses == null || maxConcurrentAnalyses <= 0
                    ? Runtime.getRuntime().availableProcessors() : maxConcurrentAnalyses;
            analysisWait = analysisWait == null ? Duration.ofSeconds(30) : analysisWait;
        }
    }

    /**
     * @param maxRuntime    a running job past this ends FAILED with TIMEOUT
     * @param maxAttempts   attempts for transient faults; invalid input never retries
     * @param latencyRuns   timed ONNX Runtime runs per batch size in the BENCHMARK stage
     * @param latencyWarmup untimed runs before them
     */
    public record Jobs(Duration maxRuntime, int maxAttempts, Integer latencyRuns, Integer latencyWarmup) {
        public Jobs {
            latencyRuns = latencyRuns == null ? LatencyMeter.DEFAULT_RUNS : latencyRuns;
            latencyWarmup = latencyWarmup == null ? LatencyMeter.DEFAULT_WARMUP : latencyWarmup;
        }
    }

    /**
     * Job callbacks and their retries: a failed delivery is tried again after {@code firstRetry}, each wait
     * {@code backoffFactor} times the one before and at most {@code maxRetryDelay}, until the next try would come
     * later than {@code giveUpAfter} from the first.
     *
     * @param allowedHosts hosts that may receive job callbacks; empty (the default) sends none
     */
    public record Callbacks(List<String> allowedHosts, Duration firstRetry, Double backoffFactor,
                            Duration maxRetryDelay, Duration giveUpAfter) {
        public Callbacks {
            allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
            firstRetry = firstRetry == null ? Duration.ofSeconds(10) : firstRetry;
            backoffFactor = backoffFactor == null ? 3.0 : backoffFactor;
            maxRetryDelay = maxRetryDelay == null ? Duration.ofHours(2) : maxRetryDelay;
            giveUpAfter = giveUpAfter == null ? Duration.ofHours(24) : giveUpAfter;
        }
    }

    /**
     * @param bootstrapKey the first admin key (env SHEARS_API_KEY); generated and logged once when empty
     * @param metricsKey   a key that may read {@code /actuator/prometheus} and nothing else (env SHEARS_METRICS_KEY);
     *                     none when empty
     */
    public record Security(String bootstrapKey, String metricsKey) {
    }

    /**
     * The training engine (DJL's PyTorch); the command line reads the same names as {@code -D} system properties.
     * Unset values keep DJL's and PyTorch's defaults.
     *
     * @param device        {@code auto} (every GPU, else the CPU), {@code cpu}, {@code gpu} or {@code gpu:N}
     * @param cacheDir      where PyTorch's native library is extracted; images extract it at build time
     * @param warmUpRounds  rounds of {@link EngineWarmUp} a process that runs jobs trains before it reports ready;
     *                      0 skips it; unset, {@link EngineWarmUp#DEFAULT_ROUNDS}. Service only: the command line
     *                      runs one job per process and has nothing to warm up for.
     */
    public record Engine(String device, String cacheDir, Integer intraopThreads, Integer interopThreads,
                         Integer warmUpRounds) {
        public Engine {
            if (warmUpRounds != null && warmUpRounds < 0) {
                throw new IllegalArgumentException("shears.engine.warm-up-rounds must be 0 or more, got "
                        + warmUpRounds);
            }
        }

        /** The rounds to run: the configured count, else the default. */
        public int warmUpRoundsOrDefault() {
            return warmUpRounds != null ? warmUpRounds : EngineWarmUp.DEFAULT_ROUNDS;
        }
    }
}
