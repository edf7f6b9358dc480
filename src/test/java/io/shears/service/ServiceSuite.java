package io.shears.service;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.shears.graph.CostModel;
import io.shears.graph.Graph;
import io.shears.graph.ShapeInference;
import io.shears.pruning.ModelInspection;
import io.shears.pruning.PruningOptions;
import io.shears.tenancy.ApiKeys;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What the service must do, over real HTTP. The same tests run on H2 (the embedded default) and on PostgreSQL (see
 * the subclasses).
 */
@ExtendWith(OutputCaptureExtension.class)
abstract class ServiceSuite extends ServiceTestSupport {
    // ---- models

    @Test
    void aModelUploadIsAnalysedListedAndDownloadableAsUploaded() throws Exception {
        byte[] model = ServiceFixtures.resnet18();
        var created = api.postBytes("/v1/models?name=r18", model, "application/octet-stream");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        JsonNode m = created.json();
        String id = m.get("id").asString();
        assertThat(created.header("Location")).isEqualTo("/v1/models/" + id);
        assertThat(m.get("name").asString()).isEqualTo("r18");
        assertThat(m.get("sha256").asString()).isEqualTo(sha256(model));
        assertThat(m.get("bytes").asLong()).isEqualTo(model.length);
        assertThat(m.get("opset").asInt()).isEqualTo(17);
        long macs = CostModel.analyze(new Graph(ModelProto.parseFrom(model)),
                ShapeInference.infer(new Graph(ModelProto.parseFrom(model)), Map.of())).macs();
        assertThat(m.get("macs").asLong()).isEqualTo(macs);
        assertThat(m.get("flops").asLong()).isEqualTo(2 * macs);
        assertThat(m.get("outputs").get(0).get("shape").toString()).isEqualTo("[1,10]");
        assertThat(m.get("prunableGroups").asInt()).isPositive();
        JsonNode reasons = m.get("frozenReasons");
        ModelInspection inspection = ModelInspection.of(ModelProto.parseFrom(model), PruningOptions.defaults());
        assertThat(reasons.size()).isEqualTo(inspection.frozenReasons().size()).isBetween(1, 20);
        assertThat(reasons.get(0).get("reason").asString())
                .isEqualTo("residual Add keeps the representation's width (scope filters)");
        assertThat(reasons.get(0).get("groups").asInt()).isEqualTo((int) inspection.frozenGroups().stream()
                .filter(g -> g.frozenReasons().stream().anyMatch(r -> r.startsWith("residual Add"))).count());
        long previous = Long.MAX_VALUE;
        for (JsonNode r : reasons) {
            assertThat(r.get("macs").asLong()).isPositive().isLessThanOrEqualTo(previous);
            assertThat(r.get("shareOfMacs").asDouble()).isCloseTo(r.get("macs").asLong() / (double) macs, within(1e-4));
            previous = r.get("macs").asLong();
        }

        assertThat(api.get("/v1/models/" + id).json().get("sha256").asString()).isEqualTo(sha256(model));
        assertThat(api.get("/v1/models/" + id).json().get("frozenReasons")).isEqualTo(reasons);
        assertThat(ids(api.get("/v1/models").json())).contains(id);
        var content = api.get("/v1/models/" + id + "/content");
        assertThat(content.status()).isEqualTo(200);
        assertThat(content.body()).isEqualTo(model);

        var multipart = api.postMultipart("/v1/models", "small.onnx", ServiceFixtures.smallCnn());
        assertThat(multipart.status()).as(multipart.toString()).isEqualTo(201);
        assertThat(multipart.json().get("name").asString()).isEqualTo("small.onnx");
        assertThat(multipart.json().get("inputs").get(0).get("shape").toString()).isEqualTo("[1,3,16,16]");

        assertThat(api.delete("/v1/models/" + multipart.json().get("id").asString()).status()).isEqualTo(204);
        assertThat(api.get("/v1/models/" + multipart.json().get("id").asString()).status()).isEqualTo(404);
    }

    @Test
    void aModelDownloadAnswersRangesAsRfc9110Says() throws Exception {
        byte[] model = ServiceFixtures.resnet18();
        String id = upload(model);
        new RangeChecks(port, ADMIN_KEY, "/v1/models/" + id + "/content", model, "application/octet-stream").all();
    }

    @Test
    void aCorruptModelIsRefusedAsUnparseable() {
        byte[] model = ServiceFixtures.resnet18();
        var r = api.postBytes("/v1/models", Arrays.copyOf(model, model.length / 3), "application/octet-stream");
        assertProblem(r, 400, "MODEL_UNPARSEABLE");
    }

    @Test
    void anUnknownOperatorIsRefusedByNodeAndOperator() {
        var r = api.postBytes("/v1/models", ServiceFixtures.withUnknownOperator(), "application/octet-stream");
        assertProblem(r, 422, "UNSUPPORTED_OPERATOR");
        assertThat(r.json().get("detail").asString()).contains("mystery_node").contains("FancyOp");
    }

    @Test
    void anOversizedUploadIsRefusedWith413() {
        var r = api.postBytes("/v1/models", new byte[9 << 20], "application/octet-stream");
        assertProblem(r, 413, "UPLOAD_TOO_LARGE");
        var streamed = api.send(api.request("/v1/models").header("Content-Type", "application/octet-stream")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(new byte[9 << 20]))));
        assertProblem(streamed, 413, "UPLOAD_TOO_LARGE");
    }

    @Test
    void aModelWithAnAbsurdOpsetNoInputsOrAZeroWidthConvIsRefusedAtUpload() {
        var absurd = api.postBytes("/v1/models", ServiceFixtures.withAbsurdOpset(), "application/octet-stream");
        assertProblem(absurd, 422, "VERSION_OUT_OF_RANGE");
        assertThat(absurd.json().get("detail").asString()).contains(Long.toString(1L << 62));
        assertProblem(api.postBytes("/v1/models", ServiceFixtures.withoutInputs(), "application/octet-stream"), 422,
                "NO_GRAPH_INPUTS");
        var zero = api.postBytes("/v1/models", ServiceFixtures.withZeroWidthConv(), "application/octet-stream");
        assertProblem(zero, 422, "ZERO_WIDTH_TENSOR");
        assertThat(zero.json().get("detail").asString()).contains("axis 0");
    }

    // ---- datasets

    @Test
    void aDatasetUploadReportsItsClassesAndSplits() {
        var r = api.postBytes("/v1/datasets?name=bands", ServiceFixtures.idxDataset(tmp, 4, 20, 1), "application/zip");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        JsonNode d = r.json();
        assertThat(d.get("format").asString()).isEqualTo("idx");
        assertThat(d.get("classes").size()).isEqualTo(4);
        assertThat(d.get("trainCount").asInt() + d.get("valCount").asInt()).isEqualTo(80);
        assertThat(d.get("valCount").asInt()).isEqualTo(8);
        assertThat(d.get("imageShape").toString()).isEqualTo("[1,28,28]");
        assertThat(ids(api.get("/v1/datasets").json())).contains(d.get("id").asString());
    }

    @Test
    void aZipSlipDatasetIsRefused() {
        assertProblem(api.postBytes("/v1/datasets", ServiceFixtures.zipSlip(), "application/zip"), 422,
                "DATASET_UNSAFE_PATH");
    }

    // ---- jobs

    @Test
    void aPruningJobPublishesARunnableModelAndAReportThatMatchesIt() throws Exception {
        String model = upload(ServiceFixtures.resnet18());
        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.75),
                "labels", Map.of("team", "vision")));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        String job = submitted.json().get("id").asString();
        assertThat(submitted.header("Location")).isEqualTo("/v1/jobs/" + job);
        assertThat(submitted.json().get("state").asString()).isIn("QUEUED", "RUNNING");

        JsonNode done = awaitTerminal(job);
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        assertThat(done.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
        assertThat(done.get("worker").asString()).endsWith("@" + java.net.InetAddress.getLocalHost().getHostName());
        assertThat(done.get("labels").get("team").asString()).isEqualTo("vision");
        Map<String, JsonNode> artifacts = byName(done.get("result").get("artifacts"));
        assertThat(artifacts).containsOnlyKeys("model.onnx", "report.json", "report.html");

        var download = api.get(artifacts.get("model.onnx").get("url").asString());
        assertThat(download.status()).isEqualTo(200);
        byte[] pruned = download.body();
        assertThat(sha256(pruned)).isEqualTo(artifacts.get("model.onnx").get("sha256").asString());
        assertThat(download.header("ETag")).isEqualTo("\"" + sha256(pruned) + "\"");
        assertThat(download.header("Content-Length")).isEqualTo(Integer.toString(pruned.length));
        assertThat(download.header("Repr-Digest")).isEqualTo("sha-256=:"
                + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(pruned)) + ":");

        float[] logits = OrtRunner.run(pruned, OrtRunner.randomInput(7, 1, 3, 64, 64), new long[] {1, 3, 64, 64});
        assertThat(logits).hasSize(10);
        for (float v : logits) {
            assertThat(Float.isFinite(v)).isTrue();
        }

        ModelProto prunedModel = ModelProto.parseFrom(pruned);
        Graph graph = new Graph(prunedModel);
        long macs = CostModel.analyze(graph, ShapeInference.infer(graph, Map.of())).macs();
        JsonNode summary = done.get("result").get("summary");
        assertThat(summary.get("prunedMacs").asLong()).isEqualTo(macs);
        long original = api.get("/v1/models/" + model).json().get("macs").asLong();
        assertThat(summary.get("originalMacs").asLong()).isEqualTo(original);
        assertThat(macs).isLessThanOrEqualTo((long) Math.floor(original * 0.75));

        JsonNode report = api.get(artifacts.get("report.json").get("url").asString()).json();
        assertThat(report.toString()).contains(Long.toString(macs)).contains(Long.toString(original));
        String html = api.get(artifacts.get("report.html").get("url").asString()).text();
        assertThat(html).contains("chart-macs").doesNotContain("<script src");

        new RangeChecks(port, ADMIN_KEY, artifacts.get("model.onnx").get("url").asString(), pruned,
                download.header("Content-Type")).all();
        var reportJson = api.get(artifacts.get("report.json").get("url").asString());
        new RangeChecks(port, ADMIN_KEY, artifacts.get("report.json").get("url").asString(), reportJson.body(),
                reportJson.header("Content-Type")).all();

        var listed = api.get("/v1/jobs/" + job + "/artifacts").json();
        assertThat(listed.size()).isEqualTo(3);
        assertThat(ids(api.get("/v1/jobs?state=SUCCEEDED&modelId=" + model).json().get("items"))).contains(job);
    }

    @Test
    void aFineTuningJobRecalibratesTrainsEvaluatesAndPublishesTheTrainingLog() {
        String model = upload(ServiceFixtures.smallCnn());
        String data = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 12, 2));
        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "pruning", Map.of("scope", "channels", "roundTo", 1),
                "input", Map.of("channels", "rgb", "mean", List.of(0.5), "std", List.of(0.25)),
                "calibration", Map.of("datasetId", data, "batches", 2),
                "fineTune", Map.of("datasetId", data, "epochs", 1, "batchSize", 16, "learningRate", 0.05),
                "evaluation", Map.of("datasetId", data)));
        assertThat(submitted.status()).as(submitted.toString()).isEqualTo(202);
        JsonNode done = awaitTerminal(submitted.json().get("id").asString());
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        Map<String, JsonNode> artifacts = byName(done.get("result").get("artifacts"));
        assertThat(artifacts).containsKeys("model.onnx", "report.json", "report.html", "training.csv");
        String csv = api.get(artifacts.get("training.csv").get("url").asString()).text();
        assertThat(csv.lines().count()).isEqualTo(2);
        JsonNode report = api.get(artifacts.get("report.json").get("url").asString()).json();
        assertThat(report.toString()).contains("fineTuned").contains("recalibrated");
        assertThat(done.get("result").get("summary").get("finalTop1").isNumber()).isTrue();
    }

    @Test
    void aBudgetBelowTheSmallestReachableModelFailsTheJobWithItsCode() {
        String model = upload(ServiceFixtures.resnet18());
        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.05)));
        JsonNode done = awaitTerminal(submitted.json().get("id").asString());
        assertThat(done.get("state").asString()).isEqualTo("FAILED");
        assertJobError(done, "BUDGET_UNREACHABLE");
        assertThat(done.get("error").get("message").asString()).contains("smallest reachable");
        assertThat(done.get("attempts").asInt()).isEqualTo(1);
    }

    @Test
    void aBadFieldIsNamed() {
        String model = upload(ServiceFixtures.smallCnn());
        var r = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 1.5)));
        assertProblem(r, 422, "INVALID_FIELD");
        assertThat(r.json().get("field").asString()).isEqualTo("budget.fraction");

        var typo = api.postJson("/v1/jobs", "{\"modelId\":\"" + model + "\",\"budget\":{\"fraction\":0.5},"
                + "\"fineTune\":{\"datasetId\":\"x\",\"epochs\":\"many\"}}");
        assertProblem(typo, 422, "INVALID_FIELD");
        assertThat(typo.json().get("field").asString()).isEqualTo("fineTune.epochs");

        var unknown = api.postJson("/v1/jobs", "{\"modelId\":\"" + model + "\",\"budget\":{\"fractoin\":0.5}}");
        assertProblem(unknown, 422, "INVALID_FIELD");
        assertThat(unknown.json().get("field").asString()).isEqualTo("budget.fractoin");

        assertProblem(api.postJson("/v1/jobs", "{\"modelId\": "), 400, "MALFORMED_JSON");
        var missing = api.postJson("/v1/jobs", Map.of("modelId", "no-such-model", "budget", Map.of("fraction", 0.5)));
        assertProblem(missing, 422, "INVALID_FIELD");
        assertThat(missing.json().get("field").asString()).isEqualTo("modelId");
    }

    @Test
    void numbersMustBeJsonNumbersAndIntegersMustBeIntegers() {
        String model = upload(ServiceFixtures.smallCnn());
        String prune = "\"budget\":{\"fraction\":0.5}";
        String fineTune = prune + ",\"fineTune\":{\"datasetId\":\"x\",";
        record Case(String field, String kind, String body) {
        }
        List<Case> cases = List.of(
                new Case("budget.fraction", "a number", "\"budget\":{\"fraction\":\"0.5\"}"),
                new Case("budget.macs", "an integer", "\"budget\":{\"macs\":1.5}"),
                new Case("budget.flops", "an integer", "\"budget\":{\"flops\":2.0E9}"),
                new Case("fineTune.epochs", "an integer", fineTune + "\"epochs\":\"3\"}"),
                new Case("fineTune.batchSize", "an integer", fineTune + "\"batchSize\":32.0}"),
                new Case("fineTune.learningRate", "a number", fineTune + "\"learningRate\":\"0.01\"}"),
                new Case("pruning.roundTo", "an integer", prune + ",\"pruning\":{\"roundTo\":8.5}"),
                new Case("input.shape[1]", "an integer", prune + ",\"input\":{\"shape\":[1,\"3\",16,16]}"),
                new Case("sweep.fractions[0]", "a number",
                        "\"budget\":{\"trainFlops\":1000000},\"sweep\":{\"fractions\":[\"0.5\"]}"));
        for (Case c : cases) {
            var r = api.postJson("/v1/jobs", "{\"modelId\":\"" + model + "\"," + c.body() + "}");
            assertProblem(r, 422, "INVALID_FIELD");
            assertThat(r.json().get("field").asString()).as(c.body()).isEqualTo(c.field());
            assertThat(r.json().get("detail").asString()).as(c.body()).startsWith(c.field() + ": ")
                    .endsWith(" " + c.kind()).doesNotContain("java.");
        }
    }

    @Test
    void aDatasetWhoseClassesDoNotFitTheModelIsRefused() {
        String model = upload(ServiceFixtures.smallCnn());
        String data = uploadDataset(ServiceFixtures.idxDataset(tmp, 3, 10, 3));
        var r = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "fineTune", Map.of("datasetId", data, "epochs", 1, "head", "keep")));
        assertProblem(r, 422, "DATASET_CLASSES_MISMATCH");
        var eval = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8),
                "evaluation", Map.of("datasetId", data)));
        assertProblem(eval, 422, "DATASET_CLASSES_MISMATCH");
    }

    @Test
    void anIdempotencyKeyReturnsTheSameJobForTheSameBodyAndRefusesAnother() {
        String model = upload(ServiceFixtures.resnet18());
        Map<String, Object> body = Map.of("modelId", model, "budget", Map.of("fraction", 0.9));
        var first = api.postJson("/v1/jobs", body, "Idempotency-Key", "key-" + model);
        var again = api.postJson("/v1/jobs", body, "Idempotency-Key", "key-" + model);
        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("id").asString()).isEqualTo(first.json().get("id").asString());
        assertThat(again.header("Idempotent-Replayed")).isEqualTo("true");
        var other = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.8)),
                "Idempotency-Key", "key-" + model);
        assertProblem(other, 409, "IDEMPOTENCY_KEY_REUSED");
        awaitTerminal(first.json().get("id").asString());
    }

    @Test
    void aRunningJobIsCancelledWithinSecondsAndItsModelAndDatasetCannotBeDeletedMeanwhile(CapturedOutput output)
            throws InterruptedException {
        String model = upload(ServiceFixtures.smallCnn());
        String data = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 30, 4));
        String onlyNamed = uploadDataset(ServiceFixtures.idxDataset(tmp, 10, 12, 5));
        var submitted = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                "pruning", Map.of("scope", "channels", "roundTo", 1),
                "input", Map.of("channels", "rgb"),
                "fineTune", Map.of("datasetId", data, "epochs", 1000, "batchSize", 4),
                "labels", Map.of("comparedWith", onlyNamed)));
        String job = submitted.json().get("id").asString();
        JsonNode running = awaitStage(job, "FINETUNE");
        assertThat(running.get("state").asString()).isEqualTo("RUNNING");
        assertProblem(api.delete("/v1/models/" + model), 409, "MODEL_IN_USE");
        assertProblem(api.delete("/v1/datasets/" + data), 409, "DATASET_IN_USE");
        assertThat(api.delete("/v1/datasets/" + onlyNamed).status())
                .as("a dataset the job's labels name but the job does not read").isEqualTo(204);

        long asked = System.nanoTime();
        var cancel = api.post("/v1/jobs/" + job + "/cancel");
        assertThat(cancel.status()).isEqualTo(202);
        JsonNode done = awaitTerminal(job);
        double seconds = (System.nanoTime() - asked) / 1e9;
        assertThat(done.get("state").asString()).isEqualTo("CANCELLED");
        assertJobError(done, "CANCELLED");
        assertThat(seconds).as("seconds from cancel to CANCELLED").isLessThan(15);
        assertThat(api.post("/v1/jobs/" + job + "/cancel").json().get("state").asString()).isEqualTo("CANCELLED");
        assertThat(api.delete("/v1/models/" + model).status()).isEqualTo(204);
        assertThat(api.delete("/v1/datasets/" + data).status()).isEqualTo(204);
        Thread.sleep(1_000);
        assertThat(output.getAll()).as("a cancel is no error of the service or of JobRunr")
                .doesNotContain("could not update job(id=" + job);
    }

    @Test
    void eventsStreamStateStageAndProgressUntilTheJobEnds() throws Exception {
        String model = upload(ServiceFixtures.resnet18());
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)))
                .json().get("id").asString();
        HttpResponse<InputStream> stream = api.sendRaw(api.request("/v1/jobs/" + job + "/events",
                "Accept", "text/event-stream").GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<JsonNode> events = CompletableFuture.supplyAsync(() -> readEvents(stream.body()))
                .get(JOB_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertThat(events).isNotEmpty();
        assertThat(events.get(events.size() - 1).get("state").asString()).isEqualTo("SUCCEEDED");
        assertThat(events.stream().map(e -> e.get("stage").asString())).contains("PRUNE");
        double last = -1;
        for (JsonNode e : events) {
            assertThat(e.get("progress").asDouble()).isGreaterThanOrEqualTo(last);
            last = e.get("progress").asDouble();
        }
    }

    @Test
    void aCallbackIsSignedTheStandardWebhooksWayWithTheTenantSecret() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(0, n -> 204)) {
            String model = upload(ServiceFixtures.resnet18());
            String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9),
                    "callbackUrl", receiver.url())).json().get("id").asString();
            JsonNode done = JobPolling.await(api, job, JOB_TIMEOUT, j -> j.path("callbacks").size() == 1
                    && "DELIVERED".equals(j.get("callbacks").get(0).get("state").asString()));
            JsonNode callback = done.get("callbacks").get(0);
            assertThat(callback.get("attempts").asInt()).isEqualTo(1);
            assertThat(callback.get("lastStatus").asInt()).isEqualTo(204);
            assertThat(receiver.received()).hasSize(1);
            WebhookReceiver.Received call = receiver.received().get(0);
            assertThat(call.id()).isEqualTo(callback.get("id").asString());
            JsonNode body = ApiClient.JSON.readTree(call.body());
            assertThat(body.get("id").asString()).isEqualTo(job);
            assertThat(body.get("state").asString()).isEqualTo("SUCCEEDED");
            assertThat(WebhookReceiver.verifies(keys.callbackSecret(ApiKeys.DEFAULT_TENANT), call)).isTrue();
        }
    }

    // ---- security

    @Test
    void anotherTenantCanNeitherSeeNorDownloadYourThings() {
        String model = upload(ServiceFixtures.resnet18());
        String job = api.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)))
                .json().get("id").asString();
        JsonNode done = awaitTerminal(job);
        String artifact = done.get("result").get("artifacts").get(0).get("url").asString();

        var issued = api.postJson("/v1/admin/keys", Map.of("tenant", "tenant-b-" + port, "label", "b"));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        ApiClient b = api.withKey(issued.json().get("key").asString());
        assertThat(b.get("/v1/models/" + model).status()).isEqualTo(404);
        assertThat(b.get("/v1/models/" + model + "/content").status()).isEqualTo(404);
        assertThat(b.get("/v1/jobs/" + job).status()).isEqualTo(404);
        assertThat(b.get("/v1/jobs/" + job + "/artifacts").status()).isEqualTo(404);
        assertThat(b.get(artifact).status()).isEqualTo(404);
        assertThat(b.post("/v1/jobs/" + job + "/cancel").status()).isEqualTo(404);
        assertThat(b.delete("/v1/models/" + model).status()).isEqualTo(404);
        assertThat(ids(b.get("/v1/models").json())).doesNotContain(model);
        assertThat(b.get("/v1/jobs").json().get("total").asLong()).isZero();
        var foreignModel = b.postJson("/v1/jobs", Map.of("modelId", model, "budget", Map.of("fraction", 0.9)));
        assertProblem(foreignModel, 422, "INVALID_FIELD");
        assertProblem(b.get("/v1/admin/keys"), 403, "FORBIDDEN");

        assertThat(api.delete("/v1/admin/keys/" + issued.json().get("id").asString()).status()).isEqualTo(204);
        assertProblem(b.get("/v1/models"), 401, "UNAUTHENTICATED");
    }

    @Test
    void theApiNeedsAKeyButHealthAndDocsAreOpen() {
        ApiClient anonymous = api.withKey(null);
        var r = anonymous.get("/v1/models");
        assertProblem(r, 401, "UNAUTHENTICATED");
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertProblem(api.withKey("shk_not-a-key").get("/v1/jobs"), 401, "UNAUTHENTICATED");
        assertThat(anonymous.get("/actuator/health").status()).isEqualTo(200);
        assertThat(anonymous.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(anonymous.get("/v3/api-docs").status()).isEqualTo(200);
        assertThat(anonymous.get("/swagger-ui/index.html").status()).isEqualTo(200);
        assertProblem(anonymous.get("/actuator/prometheus"), 401, "UNAUTHENTICATED");
        var metrics = api.get("/actuator/prometheus");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text()).contains("shears_jobs_submitted_total").contains("shears_jobs_queue_depth");
        assertProblem(api.get("/v1/no-such-thing"), 404, "NOT_FOUND");
        assertProblem(api.get("/v1/jobs/does-not-exist"), 404, "NOT_FOUND");
    }
}
