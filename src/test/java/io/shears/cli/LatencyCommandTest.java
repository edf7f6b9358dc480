package io.shears.cli;

import io.shears.engine.latency.LatencyMeter;
import io.shears.onnx.ModelWriter;
import io.shears.testing.TestGraphs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LatencyCommandTest {
    @Test
    void measuresEachBatchSizeWithTheRequestedSettings(@TempDir Path dir) throws Exception {
        JsonNode json = latency(dir, TestGraphs.resnetBasicBlocks().buildBytes(13), "--batch", "1,3", "--runs", "4",
                "--warmup", "1", "--threads", "1");
        assertThat(json).hasSize(2);
        assertThat(json.get(1).get("batch").asInt()).isEqualTo(3);
        assertThat(json.get(1).get("threads").asInt()).isEqualTo(1);
        assertThat(json.get(1).get("runs").asInt()).isEqualTo(4);
        double median = json.get(1).get("medianMs").asDouble();
        assertThat(median).isPositive().isBetween(json.get(1).get("minMs").asDouble(), json.get(1).get("maxMs").asDouble());
        assertThat(json.get(1).get("samplesPerSecond").asDouble()).isCloseTo(3000 / median, org.assertj.core.data.Percentage.withPercentage(0.01));
    }

    @Test
    void theDefaultsAreTheJobBenchmarksAndHelpShowsThem(@TempDir Path dir) throws Exception {
        JsonNode json = latency(dir, TestGraphs.flattenGemm().buildBytes(13), "--input-shape", "1x3x16x16",
                "--threads", "1");
        assertThat(json).hasSize(LatencyMeter.DEFAULT_BATCHES.size());
        for (int i = 0; i < json.size(); i++) {
            assertThat(json.get(i).get("batch").asInt()).isEqualTo(LatencyMeter.DEFAULT_BATCHES.get(i));
            assertThat(json.get(i).get("runs").asInt()).isEqualTo(LatencyMeter.DEFAULT_RUNS);
        }

        StringWriter help = new StringWriter();
        ShearsCli.run(new PrintWriter(help), new PrintWriter(new StringWriter()), "latency", "--help");
        assertThat(help.toString()).contains("(default 1,32)", "(default " + LatencyMeter.DEFAULT_RUNS + ")",
                "(default " + LatencyMeter.DEFAULT_WARMUP + ")");
    }

    /** {@code shears latency} on the model with these options, which must succeed; its JSON output. */
    private static JsonNode latency(Path dir, byte[] modelBytes, String... options) throws Exception {
        Path model = dir.resolve("m.onnx");
        Files.write(model, modelBytes);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] args = new String[options.length + 2];
        args[0] = "latency";
        args[1] = model.toString();
        System.arraycopy(options, 0, args, 2, options.length);
        assertThat(ShearsCli.run(new PrintWriter(out), new PrintWriter(err), args)).as(err.toString()).isEqualTo(0);
        return JsonOutput.MAPPER.readTree(out.toString());
    }

    @Test
    void refusesSettingsThatMeasureNothing() {
        assertThatThrownBy(() -> new LatencyMeter.Settings(1, 0, 0, 1)).hasMessageContaining("runs");
        byte[] model = ModelWriter.toBytes(TestGraphs.flattenGemm().build(13));
        assertThat(LatencyMeter.measure(model, new long[] {3, 16, 16}, new LatencyMeter.Settings(2, 0, 1, 1)).batch())
                .isEqualTo(2);
    }
}
