package io.shears.pipeline;

import io.shears.pruning.Budget;
import io.shears.pruning.PruningOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The per-field constraints: an option outside its enum or a number out of range is refused by its JSON path. */
class JobSpecFieldsTest {
    private static final JobSpec.BudgetSpec HALF = JobSpec.BudgetSpec.ofFraction(0.5);

    private static JobSpec pruning(String scope, Integer roundTo) {
        return new JobSpec("m1", HALF, null,
                new JobSpec.PruningSpec(scope, null, null, roundTo, null, null, null, null, null),
                null, null, null, null, null, null);
    }

    private static JobSpec fineTune(String optimizer, Double learningRate) {
        return new JobSpec("m1", HALF, null, null, null, null,
                new JobSpec.FineTuneSection("d1", 1, null, optimizer, learningRate, null, null, null, null, null),
                null, null, null);
    }

    private static void assertRefused(JobSpec spec, String field, String... messageParts) {
        assertThatThrownBy(spec::normalized).isInstanceOfSatisfying(InvalidJobSpecException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).startsWith(field + ": ").contains(messageParts);
        });
    }

    @Test
    void anUnknownOptionIsRefusedNamingTheAllowedValues() {
        assertRefused(pruning("kernels", null), "pruning.scope", "[channels, filters]", "got 'kernels'");
        assertRefused(fineTune("adam", null), "fineTune.optimizer", "[adamw, sgd]", "got 'adam'");
    }

    @Test
    void perEpochValidationSamplesDefaultToAThousandAndAreBounded() {
        assertThat(fineTune(null, null).normalized().fineTune().validationSamples()).isEqualTo(1_000);
        JobSpec none = new JobSpec("m1", HALF, null, null, null, null,
                new JobSpec.FineTuneSection("d1", 1, null, null, null, null, null, null, null, null, 0), null, null,
                null);
        assertThat(none.normalized().fineTune().validationSamples()).isZero();
        assertRefused(new JobSpec("m1", HALF, null, null, null, null,
                new JobSpec.FineTuneSection("d1", 1, null, null, null, null, null, null, null, null, -1), null, null,
                null), "fineTune.validationSamples", "0", "got -1");
    }

    private static JobSpec benchmark(JobSpec.BenchmarkSpec section) {
        return new JobSpec("m1", HALF, null, null, null, null, null, null, null, null, null, null, section);
    }

    @Test
    void theBenchmarkSectionIsBoundedAndCanTurnTheStageOff() {
        assertRefused(benchmark(new JobSpec.BenchmarkSpec(null, null, 0, null)), "benchmark.maxRuns", "1",
                "got 0");
        assertRefused(benchmark(new JobSpec.BenchmarkSpec(null, List.of(), null, null)), "benchmark.batchSizes",
                "1..8 sizes");
        assertRefused(benchmark(new JobSpec.BenchmarkSpec(null, List.of(1, 0), null, null)),
                "benchmark.batchSizes[1]", "got 0");
        JobSpec given = benchmark(new JobSpec.BenchmarkSpec(null, List.of(8), 12, null)).normalized();
        assertThat(given.benchmark()).isEqualTo(new JobSpec.BenchmarkSpec(false, List.of(8), 12, 20));
        assertThat(given.benchmarkSeconds()).isEqualTo(20);
        JobPipeline pipeline = new JobPipeline(PipelineSettings.defaults());
        assertThat(pipeline.plannedStages(given)).contains(Stage.BENCHMARK);
        JobSpec off = benchmark(new JobSpec.BenchmarkSpec(true, null, null, null)).normalized();
        assertThat(pipeline.plannedStages(off)).doesNotContain(Stage.BENCHMARK);
        assertThat(pipeline.plannedStages(benchmark(null).normalized())).as("the worker's batch sizes")
                .contains(Stage.BENCHMARK);
    }

    @Test
    void theNewSectionsReadFromJsonThroughTheFullConstructor() {
        JobSpec spec = io.shears.report.ReportJson.MAPPER.readValue("""
                {"modelId": "m1", "budget": {"fraction": 0.5},
                 "fineTune": {"datasetId": "d1", "epochs": 1, "validationSamples": 250},
                 "benchmark": {"batchSizes": [4], "maxRuns": 9, "maxSeconds": 5}}
                """, JobSpec.class);
        assertThat(spec.fineTune().validationSamples()).isEqualTo(250);
        assertThat(spec.benchmark()).isEqualTo(new JobSpec.BenchmarkSpec(null, List.of(4), 9, 5));
    }

    @Test
    void aNumberOutOfRangeIsRefusedByField() {
        assertRefused(pruning(null, 0), "pruning.roundTo", "1", "got 0");
        assertRefused(pruning(null, 4097), "pruning.roundTo", "4096", "got 4097");
        assertRefused(fineTune(null, 0.0), "fineTune.learningRate", "(0, 10]");
        assertRefused(fineTune(null, Double.NaN), "fineTune.learningRate", "(0, 10]");
        assertRefused(new JobSpec("m1", new JobSpec.BudgetSpec(-1L, null, null, null), null, null, null, null, null,
                null, null, null), "budget.macs", "positive");
    }

    private static JobSpec limits(java.time.Duration maxRuntime, Integer maxAttempts) {
        return new JobSpec("m1", HALF, null, null, null, null, null, null, null, null,
                new JobSpec.LimitsSpec(maxRuntime, maxAttempts), null, null);
    }

    @Test
    void aJobsOwnLimitsAreCheckedAndKept() {
        assertRefused(limits(java.time.Duration.ZERO, null), "limits.maxRuntime", "at least 1 second", "PT0S");
        assertRefused(limits(java.time.Duration.ofDays(366), null), "limits.maxRuntime", "at most 365 days");
        assertRefused(limits(null, 0), "limits.maxAttempts", "1", "got 0");
        assertRefused(limits(null, 101), "limits.maxAttempts", "100", "got 101");
        JobSpec.LimitsSpec kept = limits(java.time.Duration.ofMinutes(30), 2).normalized().limits();
        assertThat(kept).isEqualTo(new JobSpec.LimitsSpec(java.time.Duration.ofMinutes(30), 2));
        assertThat(pruning(null, null).normalized().limits()).isNull();
    }

    @Test
    void aRuntimeLimitIsReadAsAnIsoDurationOrAsSeconds() {
        tools.jackson.databind.json.JsonMapper json = tools.jackson.databind.json.JsonMapper.builder().build();
        String spec = "{\"modelId\": \"m1\", \"budget\": {\"fraction\": 0.5}, \"limits\": {\"maxRuntime\": %s}}";
        assertThat(json.readValue(spec.formatted("\"PT1H30M\""), JobSpec.class).limits().maxRuntime())
                .isEqualTo(java.time.Duration.ofMinutes(90));
        assertThat(json.readValue(spec.formatted("1800"), JobSpec.class).limits().maxRuntime())
                .isEqualTo(java.time.Duration.ofMinutes(30));
        JobSpec stored = json.readValue(json.writeValueAsString(json.readValue(spec.formatted("90"),
                JobSpec.class).normalized()), JobSpec.class);
        assertThat(stored.limits().maxRuntime()).isEqualTo(java.time.Duration.ofSeconds(90));
    }

    @Test
    void aListItemIsNamedByItsIndex() {
        JobSpec shape = new JobSpec("m1", HALF, null, null,
                new JobSpec.InputSpec(List.of(1L, 0L, 16L, 16L), null, null, null, null, null),
                null, null, null, null, null);
        assertRefused(shape, "input.shape[1]", "greater than or equal to 1", "got 0");
        JobSpec empty = new JobSpec("m1", HALF, null, null,
                new JobSpec.InputSpec(List.of(), null, null, null, null, null), null, null, null, null, null);
        assertRefused(empty, "input.shape", "1..8 dimensions", "got 0 items");
        JobSpec exclude = new JobSpec("m1", HALF, null,
                new JobSpec.PruningSpec(null, null, null, null, null, List.of("conv1", " "), null, null, null),
                null, null, null, null, null, null);
        assertRefused(exclude, "pruning.exclude[1]", "node name");
        Map<String, String> labels = new TreeMap<>();
        for (int i = 0; i <= JobSpec.MAX_LABELS; i++) {
            labels.put("k" + i, "v");
        }
        assertRefused(new JobSpec("m1", HALF, null, null, null, null, null, null, null, labels), "labels",
                "at most 32 labels", "got 33 entries");
    }

    @Test
    void aMissingOrMalformedIdIsNamed() {
        assertRefused(new JobSpec(null, HALF, null, null, null, null, null, null, null, null), "modelId", "required");
        assertRefused(new JobSpec("m1", null, null, null, null, null, null, null, null, null), "budget", "required");
        assertRefused(new JobSpec("m1", HALF, null, null, null, null, null, new JobSpec.EvaluationSpec(null), null,
                null), "evaluation.datasetId", "required");
        assertRefused(new JobSpec("../m1", HALF, null, null, null, null, null, null, null, null), "modelId",
                "not a valid id", "got '../m1'");
    }

    @Test
    void anOutputIsAnS3BucketAndPrefixAndIsKeptByNormalization() {
        for (String uri : List.of("s3://results/", "s3://results", "s3://my.results-2/runs/42/", "s3://abc/a b")) {
            assertRefusedUnlessValid(uri, !uri.contains(" "));
        }
        for (String uri : List.of("https://results/x/", "s3://Results/", "s3://ab/", "s3://results/x?y", "s3:/x/")) {
            assertRefusedUnlessValid(uri, false);
        }
        assertRefused(output(null), "output.uri", "required");
    }

    private static JobSpec output(String uri) {
        return new JobSpec("m1", HALF, null, null, null, null, null, null, null, null, null, new JobSpec.OutputSpec(uri),
                null);
    }

    private static void assertRefusedUnlessValid(String uri, boolean valid) {
        if (valid) {
            assertThat(output(uri).normalized().output().uri()).isEqualTo(uri);
        } else {
            assertRefused(output(uri), "output.uri", "s3://bucket/", "got '" + uri + "'");
        }
    }

    @Test
    void anEmptySpecMapsToTheLibrarysDefaultOptionsAndItsBudget() {
        JobSpec spec = new JobSpec("m1", HALF, null, null, null, null, null, null, null, null).normalized();
        assertThat(spec.toPruningOptions()).isEqualTo(PruningOptions.defaults());
        assertThat(spec.toBudget()).isEqualTo(new Budget.Fraction(0.5));
    }

    @Test
    void anOptionIsReadInAnyCaseAndStoredInItsOwnSpelling() {
        JobSpec.PruningSpec p = pruning(" Channels ", 16).normalized().pruning();
        assertThat(p.scope()).isEqualTo("channels");
        assertThat(p.roundTo()).isEqualTo(16);
        assertThat(fineTune("ADAMW", null).normalized().fineTune().optimizer()).isEqualTo("adamw");
    }
}
