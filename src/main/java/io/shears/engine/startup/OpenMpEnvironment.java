package io.shears.engine.startup;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The environment variables that decide how PyTorch's OpenMP threads wait between parallel regions, as this process
 * has them. OpenMP reads them once, when the native library loads, and Java cannot set its own environment, so the
 * launcher sets them ({@code bin/shears}, the image, the Helm chart, {@code spring-boot:run}); reports record what
 * was in effect. With the default policy, GNU OpenMP (the runtime PyTorch's CPU build ships) spins for a while after
 * every region: nothing lost on an idle machine, the neighbours' time on a busy one and the quota's on a throttled one.
 * {@code GOMP_SPINCOUNT} sets GNU's spin (the launchers set 100,000, a third of the default, for the reasons
 * {@code bin/shears} gives); {@code OMP_WAIT_POLICY=PASSIVE} makes waiting threads sleep at once, which costs a
 * wake-up per operator on an idle machine; {@code KMP_BLOCKTIME} is Intel's runtime's spin.
 */
public final class OpenMpEnvironment {
    /** The spin variable the launchers set. */
    public static final String SPIN_VARIABLE = "GOMP_SPINCOUNT";
    /** The variables recorded, in report order. */
    public static final String[] NAMES = {"OMP_WAIT_POLICY", "KMP_BLOCKTIME", SPIN_VARIABLE, "OMP_NUM_THREADS"};
    /** What the launchers set {@link #SPIN_VARIABLE} to; the same text is in bin/shears, the Dockerfile and the pom. */
    public static final String LAUNCHER_SPIN_COUNT = "100000";

    private OpenMpEnvironment() {
    }

    /** Each variable's value in this process, null when unset. */
    public static Map<String, String> inEffect() {
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : NAMES) {
            values.put(name, System.getenv(name));
        }
        return values;
    }
}
