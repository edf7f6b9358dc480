package io.shears.pipeline;

import io.shears.files.AtomicFiles;
import io.shears.files.FileTrees;
import io.shears.report.ReportJson;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * A job's work directory. {@code state/} keeps what each finished stage produced (its model file and a
 * {@code <stage>.json} with its result and duration) and the fine-tuning checkpoint, so that running the same job
 * again skips the finished stages and resumes training; {@code output/} receives the published files;
 * {@code spool/} holds the datasets' spool files while they are open.
 *
 * <p>A sweep keeps one such directory per candidate under {@code candidates/}; each is stamped with its own
 * candidate's fingerprint.
 *
 * <p>A stage's JSON is written after its files, atomically, so its presence means the stage finished. The directory
 * is stamped with a fingerprint of the spec and the model; a different job found in it is cleared, never resumed.
 */
final class PipelineWorkspace {
    static final String PRUNED = "pruned.onnx";
    static final String RECALIBRATED = "recalibrated.onnx";
    static final String FINE_TUNED = "finetuned.onnx";

    private final Path root;
    private final Path state;
    private final Path output;

    PipelineWorkspace(Path root) {
        this.root = root.toAbsolutePath();
        this.state = this.root.resolve("state");
        this.output = this.root.resolve("output");
    }

    /**
     * Makes the directories; clears state and output left by a job with another fingerprint, and spool files left by
     * an earlier attempt that died with its datasets open (a job runs one attempt at a time, so none is in use).
     */
    void open(String fingerprint) {
        try {
            Path stamp = state.resolve("fingerprint");
            if (Files.exists(stamp) && !Files.readString(stamp, StandardCharsets.UTF_8).equals(fingerprint)) {
                FileTrees.delete(state);
                FileTrees.delete(output);
            }
            FileTrees.delete(spool());
            Files.createDirectories(state);
            Files.createDirectories(output);
            Files.createDirectories(spool());
            if (!Files.exists(stamp)) {
                Files.writeString(stamp, fingerprint, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the work directory " + root + ": " + e.getMessage(), e);
        }
    }

    Path stateFile(String name) {
        return state.resolve(name);
    }

    Path outputFile(String name) {
        return output.resolve(name);
    }

    Path checkpointDir() {
        return state.resolve("finetune-checkpoint");
    }

    Path spool() {
        return root.resolve("spool");
    }

    /** A finished stage's result and how long it took, as saved by {@link #finish}. */
    record Finished<T>(long millis, T result) {
    }

    /** The saved result of {@code stage}, or null when the stage has not finished in this directory. */
    <T> Finished<T> finished(Stage stage, Class<T> type) {
        return finished(stageName(stage), type);
    }

    void finish(Stage stage, long millis, Object result) {
        finish(stageName(stage), millis, result);
    }

    /** A saved result by name, for steps that are not stages (a sweep's verdict on one candidate). */
    <T> Finished<T> finished(String name, Class<T> type) {
        Path file = resultFile(name);
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode node = ReportJson.MAPPER.readTree(file.toFile());
        return new Finished<>(node.get("millis").asLong(), ReportJson.MAPPER.treeToValue(node.get("result"), type));
    }

    void finish(String name, long millis, Object result) {
        ObjectNode node = ReportJson.MAPPER.createObjectNode();
        node.put("millis", millis);
        node.set("result", ReportJson.MAPPER.valueToTree(result));
        try {
            AtomicFiles.writeString(resultFile(name), ReportJson.MAPPER.writeValueAsString(node));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record " + name + " in " + state + ": " + e.getMessage(), e);
        }
    }

    /** Where a sweep runs the candidate of {@code fraction}: a work directory of its own, resumable like a job's. */
    Path candidateDir(double fraction) {
        return root.resolve("candidates").resolve("fraction-" + fraction);
    }

    private static String stageName(Stage stage) {
        return stage.name().toLowerCase(Locale.ROOT);
    }

    private Path resultFile(String name) {
        return state.resolve(name + ".json");
    }
}
