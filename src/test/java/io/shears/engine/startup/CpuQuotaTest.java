package io.shears.engine.startup;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The CPU quota read from cgroup files laid out as the kernel mounts them, v2 and v1. */
class CpuQuotaTest {
    @TempDir
    Path root;

    /** Lays out {@code /proc/self/cgroup} and the cgroup files (path, content pairs under the mount), and reads. */
    private CpuQuota quota(String procSelfCgroup, String... files) throws IOException {
        Path self = root.resolve("proc/self/cgroup");
        Files.createDirectories(self.getParent());
        Files.writeString(self, procSelfCgroup);
        for (int i = 0; i < files.length; i += 2) {
            Path file = root.resolve("fs").resolve(files[i]);
            Files.createDirectories(file.getParent());
            Files.writeString(file, files[i + 1]);
        }
        return CpuQuota.read(root.resolve("fs"), self);
    }

    @Test
    void cgroupV2TakesTheSmallestLimitOnThePathToTheRoot() throws IOException {
        CpuQuota quota = quota("0::/kubepods/pod1/c1\n", "kubepods/cpu.max", "max 100000\n",
                "kubepods/pod1/cpu.max", "150000 100000\n", "kubepods/pod1/c1/cpu.max", "max 100000\n");
        assertThat(quota.cpus()).hasValueCloseTo(1.5, within(1e-9));
        assertThat(quota.source()).endsWith("pod1/cpu.max");
        assertThat(quota.threads(8)).as("rounded up, as the JVM does").isEqualTo(2);
        assertThat(quota.threads(1)).as("never more than the processors seen").isEqualTo(1);
    }

    @Test
    void cgroupV1ReadsTheCfsQuotaOverItsPeriod() throws IOException {
        CpuQuota quota = quota("4:memory:/x\n1:cpu,cpuacct:/docker/abc\n0::/\n",
                "cpu,cpuacct/cpu.cfs_quota_us", "-1\n", "cpu,cpuacct/cpu.cfs_period_us", "100000\n",
                "cpu,cpuacct/docker/abc/cpu.cfs_quota_us", "50000\n",
                "cpu,cpuacct/docker/abc/cpu.cfs_period_us", "100000\n");
        assertThat(quota.cpus()).hasValueCloseTo(0.5, within(1e-9));
        assertThat(quota.threads(16)).as("at least one").isEqualTo(1);
    }

    @Test
    void withoutALimitEveryProcessorCounts() throws IOException {
        CpuQuota quota = quota("1:cpu:/\n0::/\n", "cpu.max", "max 100000\n", "cpu/cpu.cfs_quota_us", "-1\n",
                "cpu/cpu.cfs_period_us", "100000\n");
        assertThat(quota.cpus()).isEmpty();
        assertThat(quota.source()).isEqualTo("none");
        assertThat(quota.threads(6)).isEqualTo(6);
        assertThat(CpuQuota.read(root.resolve("missing"), root.resolve("no-such-file")).threads(3)).isEqualTo(3);
    }

    @Test
    void thisProcessGetsAtLeastOneThreadAndNoMoreThanItsProcessors() {
        int threads = CpuQuota.ofThisProcess().threads();
        assertThat(threads).isBetween(1, Runtime.getRuntime().availableProcessors());
    }
}
