package io.shears.server;

import io.shears.Role;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The service's own settings ({@code shears.*}); application.yml holds the embedded defaults. */
@ConfigurationProperties("shears")
public record ShearsProperties(Role role, String workerName, Path dataDir, Artifacts artifacts, Path workDir,
                               Uploads uploads, Jobs jobs, Callbacks callbacks, Security security) {

    /** @param workerName names this process in job records; defaults to {@code <pid>@<host>} */
    public ShearsProperties {
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

    public record Artifacts(Path dir) {
    }

    public record Uploads(DataSize maxModelBytes, DataSize maxDatasetBytes) {
    }

    /**
     * @param maxRuntime    a running job past this ends FAILED with TIMEOUT
     * @param maxAttempts   attempts for transient faults; invalid input never retries
     * @param latencyRuns   timed ONNX Runtime runs per batch size in the BENCHMARK stage
     * @param latencyWarmup untimed runs before them
     */
    public record Jobs(Duration maxRuntime, int maxAttempts, int latencyRuns, int latencyWarmup) {
    }

    /** Hosts that may receive job callbacks; empty (the default) sends none. */
    public record Callbacks(List<String> allowedHosts) {
        public Callbacks {
            allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        }
    }

    /** @param bootstrapKey the first admin key (env SHEARS_API_KEY); generated and logged once when empty */
    public record Security(String bootstrapKey) {
    }
}
