package io.shears.service;

import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The README's curl walkthrough, run as written with bash against the service on the embedded default. */
class ServiceWalkthroughTest extends ServiceTestSupport {
    @TempDir
    Path workDir;

    @Test
    void theReadmeWalkthroughWorksAsWritten() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("<!-- walkthrough -->");
        int end = readme.indexOf("<!-- /walkthrough -->");
        assertThat(start).as("walkthrough markers in README.md").isPositive();
        String block = readme.substring(start, end);
        String script = block.substring(block.indexOf("```sh") + 5, block.lastIndexOf("```"));
        Files.createSymbolicLink(workDir.resolve("src"), Path.of("src").toAbsolutePath());

        ProcessBuilder bash = new ProcessBuilder("bash", "-euo", "pipefail", "-c", script)
                .directory(workDir.toFile()).redirectErrorStream(true);
        bash.environment().put("SHEARS_URL", "http://localhost:" + port);
        bash.environment().put("SHEARS_OUT", workDir.toString());
        Process p = bash.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(output).isZero();
        assertThat(output).contains("\"state\": \"SUCCEEDED\"");

        byte[] pruned = Files.readAllBytes(workDir.resolve("resnet18-pruned.onnx"));
        float[] logits = OrtRunner.run(pruned, OrtRunner.randomInput(3, 1, 3, 64, 64), new long[] {1, 3, 64, 64});
        assertThat(logits).hasSize(10);
    }
}
