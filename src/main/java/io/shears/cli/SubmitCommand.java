package io.shears.cli;

import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code shears submit}: one CI step that prunes a model on a Shears service. It uploads the model (or has the service
 * fetch it by URI), submits the job, follows its events, downloads its artifacts and exits with the job's outcome.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = {"Prune a model on a Shears service: upload, submit, follow the job, download its artifacts.",
                "Exit codes: 0 succeeded (or submitted, without --wait), 2 usage, 5 the job FAILED, "
                        + "6 the job was CANCELLED, 7 the service refused a request, 8 the service could not be "
                        + "reached or failed (retry)."})
final class SubmitCommand implements Callable<Integer> {
    private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private static final int RECONNECTS = 5;

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:SHEARS_URL}",
            description = "the service, e.g. https://shears.example.com (default: $SHEARS_URL)")
    URI server;

    @Option(names = "--key", paramLabel = "KEY", defaultValue = "${env:SHEARS_API_KEY}",
            description = "an API key (default: $SHEARS_API_KEY)")
    String key;

    @Parameters(index = "0", paramLabel = "MODEL",
            description = "an .onnx file or bundle to upload, or an s3:// or https:// URI the service fetches")
    String model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    BudgetTarget target;

    @Option(names = "--dataset", paramLabel = "ZIP|URI",
            description = "a dataset archive (or s3:// / https:// URI) to recalibrate BatchNorm on and evaluate with")
    String dataset;

    @Option(names = "--fine-tune-epochs", paramLabel = "N", description = "also fine-tune on --dataset for N epochs")
    Integer fineTuneEpochs;

    @Option(names = "--output-uri", paramLabel = "S3_URI",
            description = "an s3:// prefix where the service also writes the artifacts when the job succeeds")
    String output;

    @Option(names = "--wait", description = "follow the job until it ends and exit with its outcome")
    boolean wait;

    @Option(names = "--out", paramLabel = "DIR", description = "download the artifacts here (implies --wait)")
    Path out;

    @Spec
    CommandLine.Model.CommandSpec spec;

    private String lastChange;

    @Override
    public Integer call() throws IOException, InterruptedException {
        checkArguments();
        PrintWriter stdout = spec.commandLine().getOut();
        ServiceClient client = new ServiceClient(server, key);
        JsonNode uploadedModel = send(client, "models", model);
        stdout.println("model " + uploadedModel.get("id").asString() + " (" + uploadedModel.get("name").asString()
                + ", " + uploadedModel.get("macs").asLong() + " MACs)");
        String datasetId = null;
        if (dataset != null) {
            JsonNode uploaded = send(client, "datasets", dataset);
            datasetId = uploaded.get("id").asString();
            stdout.println("dataset " + datasetId + " (" + uploaded.get("name").asString() + ")");
        }
        JsonNode job = client.postJson("/v1/jobs", jobSpec(uploadedModel.get("id").asString(), datasetId));
        String jobId = job.get("id").asString();
        stdout.println("job " + jobId + " submitted");
        stdout.flush();
        if (!wait && out == null) {
            return ExitCodes.OK;
        }
        job = follow(client, jobId, stdout);
        String state = job.get("state").asString();
        if (state.equals("FAILED")) {
            throw new RemoteCallException(ExitCodes.JOB_FAILED, job.path("error").path("code").asString("FAILED"),
                    "job " + jobId + " failed: " + job.path("error").path("message").asString(""));
        }
        if (state.equals("CANCELLED")) {
            throw new RemoteCallException(ExitCodes.JOB_CANCELLED, "CANCELLED", "job " + jobId + " was cancelled: "
                    + job.path("error").path("message").asString(""));
        }
        if (out != null) {
            download(client, jobId, stdout);
        }
        return ExitCodes.OK;
    }

    private void checkArguments() {
        if (server == null || key == null || key.isBlank()) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--server and --key are required (or SHEARS_URL and SHEARS_API_KEY)");
        }
        if (server.getScheme() == null || !server.getScheme().matches("https?") || server.getHost() == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--server must be an http(s) URL: " + server);
        }
        if (fineTuneEpochs != null && dataset == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--fine-tune-epochs needs --dataset");
        }
    }

    /** A local file is uploaded; anything with a scheme is left for the service to fetch (and to refuse). */
    private static JsonNode send(ServiceClient client, String collection, String source) {
        if (source.matches("[A-Za-z][A-Za-z0-9+.-]*://.*")) {
            return client.fetch(collection, source);
        }
        return client.upload(collection, Path.of(source));
    }

    private Map<String, Object> jobSpec(String modelId, String datasetId) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("modelId", modelId);
        spec.put("budget", target.jobBudget());
        if (datasetId != null) {
            spec.put("calibration", Map.of("datasetId", datasetId));
            spec.put("evaluation", Map.of("datasetId", datasetId));
            if (fineTuneEpochs != null) {
                spec.put("fineTune", Map.of("datasetId", datasetId, "epochs", fineTuneEpochs));
            }
        }
        if (output != null) {
            spec.put("output", Map.of("uri", output));
        }
        return spec;
    }

    /**
     * Prints one line per state or stage change until the job ends. The event stream ends at a terminal state; one that
     * ends earlier (the service's stream time limit, a dropped connection) is opened again.
     */
    private JsonNode follow(ServiceClient client, String jobId, PrintWriter stdout) throws InterruptedException {
        int failures = 0;
        while (true) {
            try {
                client.events(jobId, event -> changed(jobId, event, stdout));
                failures = 0;
            } catch (RemoteCallException e) {
                if (e.exitCode() != ExitCodes.UNREACHABLE || ++failures > RECONNECTS) {
                    throw e;
                }
            }
            JsonNode job = client.get("/v1/jobs/" + jobId);
            changed(jobId, job, stdout);
            if (TERMINAL.contains(job.get("state").asString())) {
                return job;
            }
            Thread.sleep(1000L * Math.max(1, failures));
        }
    }

    private void changed(String jobId, JsonNode event, PrintWriter stdout) {
        String state = event.path("state").asString("");
        String stage = event.path("stage").isNull() ? "" : event.path("stage").asString("");
        String line = "job " + jobId + ": " + state + (stage.isEmpty() || TERMINAL.contains(state) ? "" : " " + stage);
        if (!Objects.equals(line, lastChange)) {
            lastChange = line;
            stdout.println(line);
            stdout.flush();
        }
    }

    private void download(ServiceClient client, String jobId, PrintWriter stdout) throws IOException {
        Files.createDirectories(out);
        for (JsonNode artifact : client.get("/v1/jobs/" + jobId + "/artifacts")) {
            String name = artifact.get("name").asString();
            if (!name.matches("[A-Za-z0-9._-]+") || name.startsWith(".")) {
                throw new RemoteCallException(ExitCodes.UNREACHABLE, "UNEXPECTED_ANSWER", "the service listed an "
                        + "artifact name that is not a plain file name: " + name);
            }
            Path target = out.resolve(name);
            client.download(artifact, target);
            stdout.println(name + " -> " + target + " (" + Files.size(target) + " bytes)");
        }
        stdout.flush();
    }
}
