package io.shears.engine.startup;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.lang.management.ManagementFactory;

/**
 * Which of the JVM's just-in-time compilers this process uses. A job's Java code on the CPU only dispatches to native
 * kernels, one operator at a time, so the optimizing compiler (C2) buys it little: a warm training epoch ran as fast
 * compiled by C1 alone. What C2 costs is its own work, seconds of a core in a fresh process's first jobs, taken from
 * the kernels on a machine whose cores they use: on two cores the Fashion-MNIST benchmark's second job trained
 * 1.1–1.4 times as slowly as with C1 alone (docs/benchmarks.md). The CPU launchers ({@code bin/shears serve}, the CPU
 * image, {@code spring-boot:run}) therefore start the service with {@link #LAUNCHER_OPTION}; the command line's
 * {@code prune}, whose graph analysis is Java arithmetic that C2 made 1.4–1.6 times as fast, keeps both, and so does
 * the GPU image, where the dispatch is a larger share of a step. The JVM reads it once, at start.
 */
public final class JitCompilers {
    /** What the CPU launchers pass to the service's JVM; the same text is in bin/shears and the Dockerfile. */
    public static final String LAUNCHER_OPTION = "-XX:TieredStopAtLevel=1";

    private JitCompilers() {
    }

    /**
     * {@code c1} when the JVM compiles with C1 alone, {@code c1+c2} when it compiles in tiers, {@code c2} when only
     * C2 compiles, and {@code unknown} on a JVM without HotSpot's options.
     */
    public static String inEffect() {
        try {
            HotSpotDiagnosticMXBean hotSpot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            if (!Boolean.parseBoolean(hotSpot.getVMOption("TieredCompilation").getValue())) {
                return "c2";
            }
            int stop = Integer.parseInt(hotSpot.getVMOption("TieredStopAtLevel").getValue());
            return stop <= 3 ? "c1" : "c1+c2";
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
