package io.shears.service;

import io.shears.apiclient.ApiException;
import io.shears.apiclient.api.ArtifactsApi;
import io.shears.apiclient.api.DatasetsApi;
import io.shears.apiclient.api.JobsApi;
import io.shears.apiclient.api.ModelsApi;
import io.shears.apiclient.model.ArtifactView;
import io.shears.apiclient.model.BudgetSpec;
import io.shears.apiclient.model.DatasetView;
import io.shears.apiclient.model.JobSpec;
import io.shears.apiclient.model.JobView;
import io.shears.apiclient.model.ModelView;
import io.shears.apiclient.model.Problem;
import io.shears.testing.OrtRunner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * The README walkthrough through the Java client that openapi-generator (library native) makes of the committed
 * openapi.yaml, untouched: what a team that generates its client instead of scripting curl would run. The client is
 * generated into the test sources by the build, so a contract it cannot use fails to compile or fails here.
 */
class GeneratedClientWalkthroughTest extends ServiceTestSupport {
    private static final Set<JobView.StateEnum> TERMINAL =
            Set.of(JobView.StateEnum.SUCCEEDED, JobView.StateEnum.FAILED, JobView.StateEnum.CANCELLED);

    private io.shears.apiclient.ApiClient client;

    @BeforeEach
    void generatedClient() {
        client = new io.shears.apiclient.ApiClient();
        client.updateBaseUri("http://localhost:" + port);
        client.setRequestInterceptor(request -> request.header("Authorization", "Bearer " + ADMIN_KEY));
    }

    @Test
    void theWalkthroughRunsThroughTheGeneratedClient() throws Exception {
        File modelFile = Path.of("src/test/resources/models/torchvision/resnet18-op17-bnkeep.onnx").toFile();
        ModelView model = new ModelsApi(client).uploadModel(modelFile, null, "resnet18");
        assertThat(model.getName()).isEqualTo("resnet18");
        assertThat(model.getMacs()).isPositive();

        Path archive = tmp.resolve("bands.zip");
        Files.write(archive, ServiceFixtures.idxDataset(tmp, 3, 12, 5));
        DatasetView dataset = new DatasetsApi(client).uploadDataset(archive.toFile(), "bands");
        assertThat(dataset.getName()).isEqualTo("bands");
        assertThat(dataset.getClasses()).containsExactly("0", "1", "2");

        JobsApi jobs = new JobsApi(client);
        JobView submitted = jobs.submitJob(new JobSpec().modelId(model.getId())
                .budget(new BudgetSpec().fraction(0.75)).labels(Map.of("client", "generated")), null);
        assertThat(submitted.getState()).isIn(JobView.StateEnum.QUEUED, JobView.StateEnum.RUNNING);

        JobView job = pollToTerminal(jobs, submitted.getId());
        assertThat(job.getState()).as(String.valueOf(job.getError())).isEqualTo(JobView.StateEnum.SUCCEEDED);
        assertThat(job.getResult().getSummary()).containsKey("prunedMacs");

        String events = Files.readString(jobs.jobEvents(job.getId(), null).toPath());
        assertThat(events).contains("event:job").contains("\"state\":\"SUCCEEDED\"");

        List<ArtifactView> artifacts = jobs.listJobArtifacts(job.getId());
        assertThat(artifacts).extracting(ArtifactView::getName).contains("model.onnx", "report.json", "report.html");
        ArtifactView prunedModel = artifacts.get(0);
        assertThat(prunedModel.getName()).isEqualTo("model.onnx");
        byte[] pruned = Files.readAllBytes(new ArtifactsApi(client).downloadArtifact(prunedModel.getId(), null, null)
                .toPath());
        assertThat((long) pruned.length).isEqualTo(prunedModel.getBytes());
        float[] logits = OrtRunner.run(pruned, OrtRunner.randomInput(3, 1, 3, 64, 64), new long[] {1, 3, 64, 64});
        assertThat(logits).hasSize(10);
    }

    @Test
    void aRefusalIsAProblemTheGeneratedModelReads() throws Exception {
        File modelFile = Path.of("src/test/resources/models/torchvision/resnet18-op17-bnkeep.onnx").toFile();
        ModelView model = new ModelsApi(client).uploadModel(modelFile, null, "resnet18");

        ApiException refused = catchThrowableOfType(ApiException.class, () -> new JobsApi(client).submitJob(
                new JobSpec().modelId(model.getId()).budget(new BudgetSpec().fraction(1.5)), null));

        assertThat(refused.getCode()).isEqualTo(422);
        assertThat(refused.getResponseHeaders().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        Problem problem = client.getObjectMapper().readValue(refused.getResponseBody(), Problem.class);
        assertThat(problem.getCode()).isEqualTo("INVALID_FIELD");
        assertThat(problem.getField()).isEqualTo("budget.fraction");
        assertThat(problem.getStatus()).isEqualTo(422);
    }

    private static JobView pollToTerminal(JobsApi jobs, String id) throws ApiException, InterruptedException {
        Instant deadline = Instant.now().plus(JOB_TIMEOUT);
        JobView job = jobs.getJob(id);
        while (!TERMINAL.contains(job.getState()) && Instant.now().isBefore(deadline)) {
            Thread.sleep(250);
            job = jobs.getJob(id);
        }
        return job;
    }
}
