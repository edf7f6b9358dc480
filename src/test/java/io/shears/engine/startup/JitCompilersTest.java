package io.shears.engine.startup;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class JitCompilersTest {
    @Test
    void aJvmStartedTheWayTheCpuLaunchersStartTheServiceCompilesWithC1Alone() throws Exception {
        assertThat(childSays(JitCompilers.LAUNCHER_OPTION)).isEqualTo("c1");
    }

    @Test
    void aJvmStartedWithItsDefaultsCompilesInTiersAndOneWithoutTiersWithC2() throws Exception {
        assertThat(childSays("-XX:TieredStopAtLevel=4")).isEqualTo("c1+c2");
        assertThat(childSays("-XX:-TieredCompilation")).isEqualTo("c2");
    }

    /** What {@link JitCompilers#inEffect()} says in a fresh JVM started with {@code option}. */
    private static String childSays(String option) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), option, "-cp", System.getProperty("java.class.path"),
                Print.class.getName()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    /** Prints the compilers in effect; run in the child JVM. */
    public static final class Print {
        public static void main(String[] args) {
            System.out.println(JitCompilers.inEffect());
        }
    }
}
