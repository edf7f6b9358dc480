package io.shears.engine.startup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * The CPU time the process's control group may use, in CPUs: cgroup v2's {@code cpu.max} ({@code "<quota> <period>"}
 * or {@code "max <period>"}) or v1's {@code cpu.cfs_quota_us} over {@code cpu.cfs_period_us} ({@code -1} for none).
 * A container with a CPU limit (a Kubernetes pod's {@code limits.cpu}) sees every core of its host, and a native
 * library that sizes its thread pool by the cores it sees (PyTorch's OpenMP, ONNX Runtime) then runs more threads than
 * the quota pays for; throttled at the end of every period, they wait for each other. The quota of the cgroup and of
 * every ancestor up to the mount's root applies; the smallest wins.
 *
 * @param cpus   the quota in CPUs, empty when there is none (or no cgroup file could be read)
 * @param source the file the quota came from, or {@code "none"}
 */
public record CpuQuota(OptionalDouble cpus, String source) {
    private static final Path CGROUP_ROOT = Path.of("/sys/fs/cgroup");
    private static final Path SELF = Path.of("/proc/self/cgroup");

    /** This process's quota. */
    public static CpuQuota ofThisProcess() {
        return read(CGROUP_ROOT, SELF);
    }

    /** The quota under the cgroup mount {@code root} for the process whose {@code /proc/<pid>/cgroup} is given. */
    static CpuQuota read(Path root, Path procCgroup) {
        List<String> lines;
        try {
            lines = Files.exists(procCgroup) ? Files.readAllLines(procCgroup) : List.of();
        } catch (IOException e) {
            lines = List.of();
        }
        CpuQuota best = new CpuQuota(OptionalDouble.empty(), "none");
        for (String line : lines) {
            // hierarchy-id:controllers:path; v2 is "0::/path", v1's cpu controller "N:cpu,cpuacct:/path"
            String[] parts = line.split(":", 3);
            if (parts.length != 3) {
                continue;
            }
            if (parts[0].equals("0") && parts[1].isEmpty()) {
                best = smaller(best, walk(root, parts[2], false));
            } else if (List.of(parts[1].split(",")).contains("cpu")) {
                for (String mount : List.of("cpu", "cpu,cpuacct", "cpuacct,cpu")) {
                    if (Files.isDirectory(root.resolve(mount))) {
                        best = smaller(best, walk(root.resolve(mount), parts[2], true));
                        break;
                    }
                }
            }
        }
        return best;
    }

    /** The smallest quota from the cgroup's directory up to the mount's root. */
    private static CpuQuota walk(Path mount, String cgroupPath, boolean v1) {
        CpuQuota best = new CpuQuota(OptionalDouble.empty(), "none");
        Path dir = mount;
        for (String segment : cgroupPath.split("/")) {
            if (!segment.isEmpty() && !segment.equals("..")) {
                dir = dir.resolve(segment);
            }
        }
        while (dir != null && dir.startsWith(mount)) {
            best = smaller(best, v1 ? v1(dir) : v2(dir));
            dir = dir.equals(mount) ? null : dir.getParent();
        }
        return best;
    }

    private static CpuQuota v2(Path dir) {
        Path file = dir.resolve("cpu.max");
        String text = read(file);
        if (text == null) {
            return new CpuQuota(OptionalDouble.empty(), "none");
        }
        String[] fields = text.trim().split("\\s+");
        if (fields.length != 2 || fields[0].equals("max")) {
            return new CpuQuota(OptionalDouble.empty(), "none");
        }
        return ratio(fields[0], fields[1], file);
    }

    private static CpuQuota v1(Path dir) {
        Path quota = dir.resolve("cpu.cfs_quota_us");
        String q = read(quota);
        String p = read(dir.resolve("cpu.cfs_period_us"));
        if (q == null || p == null || q.trim().startsWith("-")) {
            return new CpuQuota(OptionalDouble.empty(), "none");
        }
        return ratio(q.trim(), p.trim(), quota);
    }

    private static CpuQuota ratio(String quota, String period, Path file) {
        try {
            double q = Long.parseLong(quota);
            double p = Long.parseLong(period);
            return q > 0 && p > 0 ? new CpuQuota(OptionalDouble.of(q / p), file.toString())
                    : new CpuQuota(OptionalDouble.empty(), "none");
        } catch (NumberFormatException e) {
            return new CpuQuota(OptionalDouble.empty(), "none");
        }
    }

    private static String read(Path file) {
        try {
            return Files.isReadable(file) ? Files.readString(file) : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static CpuQuota smaller(CpuQuota a, CpuQuota b) {
        if (a.cpus.isEmpty()) {
            return b;
        }
        return b.cpus.isPresent() && b.cpus.getAsDouble() < a.cpus.getAsDouble() ? b : a;
    }

    /**
     * Threads that fit: the processors the JVM sees ({@code available}), at most the quota rounded up (the JVM's own
     * rounding), at least one.
     */
    public int threads(int available) {
        int fit = cpus.isPresent() ? (int) Math.ceil(cpus.getAsDouble() - 1e-9) : available;
        return Math.max(1, Math.min(available, fit));
    }

    /** {@link #threads(int)} of the processors this JVM sees. */
    public int threads() {
        return threads(Runtime.getRuntime().availableProcessors());
    }
}
