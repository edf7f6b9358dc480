package io.shears.service;

import io.shears.cli.ExitCodes;
import io.shears.cli.ShearsCli;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code shears submit} run in this JVM against the service on its random port, as a CI step would run it. */
class SubmitCommandTest extends ServiceTestSupport {
    private static final Pattern JOB_ID = Pattern.compile("job ([0-9a-f-]{36}) submitted");

    record Run(int exitCode, String out, String err) {
        String jobId() {
            Matcher m = JOB_ID.matcher(out);
            assertThat(m.find()).as(out).isTrue();
            return m.group(1);
        }
    }

    Run submit(String... args) {
        return submit(new StringWriter(), args);
    }

    /** @param out the command's stdout, which another thread may read while the command runs */
    Run submit(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("submit"));
        all.addAll(Arrays.asList(args));
        int code = ShearsCli.run(new PrintWriter(out), new PrintWriter(err), all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }

    String server() {
        return "http://localhost:" + port;
    }

    Path write(String name, byte[] content) throws Exception {
        return Files.write(tmp.resolve(name), content);
    }

    @Test
    void aSucceededJobExitsZeroWithItsArtifactsInTheOutputDirectory() throws Exception {
        Path model = write("small.onnx", ServiceFixtures.smallCnn());
        Path dataset = write("digits.zip", ServiceFixtures.idxDataset(tmp, 10, 8, 3));
        Path out = tmp.resolve("out");
        Run run = submit("--server", server(), "--key", ADMIN_KEY, model.toString(), "--target-fraction", "0.75",
                "--dataset", dataset.toString(), "--fine-tune-epochs", "1", "--wait", "--out", out.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
        String job = run.jobId();
        assertThat(run.out()).contains("job " + job + ": RUNNING PRUNE", "job " + job + ": RUNNING FINETUNE",
                "job " + job + ": SUCCEEDED");
        assertThat(run.out().lines().filter(l -> l.equals("job " + job + ": SUCCEEDED")).count())
                .as("one line per change").isEqualTo(1);

        JsonNode view = api.get("/v1/jobs/" + job).json();
        assertThat(view.get("spec").get("calibration").get("datasetId").asString())
                .isEqualTo(view.get("spec").get("fineTune").get("datasetId").asString());
        assertThat(view.get("spec").get("fineTune").get("epochs").asInt()).isEqualTo(1);
        var artifacts = byName(view.get("result").get("artifacts"));
        assertThat(artifacts).containsKeys("model.onnx", "report.json", "report.html", "training.csv");
        try (var listed = Files.list(out)) {
            assertThat(listed.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(artifacts.keySet());
        }
        for (var a : artifacts.entrySet()) {
            assertThat(sha256(Files.readAllBytes(out.resolve(a.getKey())))).as(a.getKey())
                    .isEqualTo(a.getValue().get("sha256").asString());
        }
    }

    @Test
    void aFailedJobExitsWithItsCodeAndTheErrorLine() throws Exception {
        Path model = write("resnet18.onnx", ServiceFixtures.resnet18());
        Run run = submit("--server", server(), "--key", ADMIN_KEY, model.toString(), "--target-fraction", "0.05",
                "--wait", "--out", tmp.resolve("never").toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.JOB_FAILED);
        assertThat(run.err()).startsWith("error: BUDGET_UNREACHABLE: job " + run.jobId() + " failed: ");
        assertThat(run.out()).contains("job " + run.jobId() + ": FAILED");
        assertThat(tmp.resolve("never")).doesNotExist();
    }

    @Test
    void aCancelledJobExitsWithItsOwnCode() throws Exception {
        Path model = write("small.onnx", ServiceFixtures.smallCnn());
        Path dataset = write("long.zip", ServiceFixtures.idxDataset(tmp, 10, 8, 5));
        StringWriter out = new StringWriter();
        CompletableFuture<Run> running = CompletableFuture.supplyAsync(() -> submit(out, "--server", server(),
                "--key", ADMIN_KEY, model.toString(), "--target-fraction", "0.75", "--dataset", dataset.toString(),
                "--fine-tune-epochs", "100000", "--wait"));
        String job = null;
        for (long deadline = System.nanoTime() + JOB_TIMEOUT.toNanos(); job == null; Thread.sleep(100)) {
            Matcher m = JOB_ID.matcher(out.toString());
            job = m.find() ? m.group(1) : null;
            assertThat(System.nanoTime()).as("the command submits a job: " + out).isLessThan(deadline);
            assertThat(running).as("the command is still running: " + out).isNotDone();
        }
        awaitStage(job, "FINETUNE");
        assertThat(api.post("/v1/jobs/" + job + "/cancel").status()).isBetween(200, 299);
        Run run = running.get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.JOB_CANCELLED);
        assertThat(run.err()).startsWith("error: CANCELLED: job " + job + " was cancelled");
        assertThat(run.out()).contains("job " + job + ": CANCELLED");
    }

    @Test
    void withoutWaitTheCommandEndsOnceTheJobIsSubmitted() throws Exception {
        Path model = write("small.onnx", ServiceFixtures.smallCnn());
        Run run = submit("--server", server(), "--key", ADMIN_KEY, model.toString(), "--target-macs", "1000000000");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(ExitCodes.OK);
        assertThat(api.get("/v1/jobs/" + run.jobId()).status()).isEqualTo(200);
        awaitTerminal(run.jobId());
    }

    @Test
    void refusalsUnreachableServicesAndUsageErrorsHaveTheirOwnExitCodes() throws Exception {
        Path model = write("small.onnx", ServiceFixtures.smallCnn());
        Run badKey = submit("--server", server(), "--key", "shk_not-a-key-at-all", model.toString(),
                "--target-fraction", "0.5");
        assertThat(badKey.exitCode()).as(badKey.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(badKey.err()).startsWith("error: UNAUTHENTICATED: HTTP 401");

        byte[] resnet = ServiceFixtures.resnet18();
        Path corrupt = write("corrupt.onnx", Arrays.copyOf(resnet, resnet.length / 3));
        Run unparseable = submit("--server", server(), "--key", ADMIN_KEY, corrupt.toString(),
                "--target-fraction", "0.5");
        assertThat(unparseable.exitCode()).as(unparseable.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(unparseable.err()).startsWith("error: MODEL_UNPARSEABLE: HTTP 400");

        Run badSpec = submit("--server", server(), "--key", ADMIN_KEY, model.toString(), "--target-fraction", "1.5");
        assertThat(badSpec.exitCode()).as(badSpec.toString()).isEqualTo(ExitCodes.REFUSED);
        assertThat(badSpec.err()).startsWith("error: INVALID_FIELD: HTTP 422");

        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run unreachable = submit("--server", "http://127.0.0.1:" + closed, "--key", ADMIN_KEY, model.toString(),
                "--target-fraction", "0.5");
        assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(unreachable.err()).startsWith("error: UNREACHABLE: cannot reach http://127.0.0.1:" + closed);

        Run noTarget = submit("--server", server(), "--key", ADMIN_KEY, model.toString());
        assertThat(noTarget.exitCode()).as(noTarget.toString()).isEqualTo(ExitCodes.USAGE);
        Run epochsWithoutData = submit("--server", server(), "--key", ADMIN_KEY, model.toString(),
                "--target-fraction", "0.5", "--fine-tune-epochs", "2");
        assertThat(epochsWithoutData.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(epochsWithoutData.err()).contains("--fine-tune-epochs needs --dataset");
        Run missingFile = submit("--server", server(), "--key", ADMIN_KEY, tmp.resolve("absent.onnx").toString(),
                "--target-fraction", "0.5");
        assertThat(missingFile.exitCode()).as(missingFile.toString()).isEqualTo(ExitCodes.USAGE);
        assertThat(missingFile.err()).startsWith("error: IO: no such file: ");
    }
}
