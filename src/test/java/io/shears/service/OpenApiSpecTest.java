package io.shears.service;

import io.shears.pruning.OptionNames;
import io.shears.pruning.PruningOptions;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * openapi.yaml at the repository root is the live OpenAPI document, so clients can be generated and reviewed from the
 * repository; this test fails when a change to the API leaves it behind.
 */
class OpenApiSpecTest extends ServiceTestSupport {
    static final Path COMMITTED = Path.of("openapi.yaml");
    static final String WRITE_PROPERTY = "shears.writeOpenapi";
    static final String REGENERATE = "mvn -q -B -ntp test -Dtest=OpenApiSpecTest -D" + WRITE_PROPERTY + "=true";

    @Test
    void theCommittedSpecIsTheLiveOne() throws IOException {
        var reply = api.get("/v3/api-docs.yaml");
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        String live = reply.text();
        if (Boolean.getBoolean(WRITE_PROPERTY)) {
            Files.writeString(COMMITTED, live);
            return;
        }
        if (!Files.exists(COMMITTED)) {
            fail(COMMITTED.toAbsolutePath() + " is missing; write it with: " + REGENERATE);
        }
        String committed = Files.readString(COMMITTED).replace("\r\n", "\n");
        if (!committed.equals(live)) {
            fail("openapi.yaml differs from the live /v3/api-docs.yaml " + firstDifference(committed, live)
                    + "\nIf the API change is intended, regenerate it with: " + REGENERATE);
        }
    }

    /** What reviewers and generated clients rely on, checked here so that a new endpoint cannot skip it. */
    @Test
    void everyOperationHasAnIdASummaryAnExampleForItsBodyAndProblemJsonErrors() {
        JsonNode spec = api.get("/v3/api-docs").json();
        assertThat(spec.path("servers").toString()).doesNotContain("localhost");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : spec.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> method : path.getValue().properties()) {
                String where = method.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                JsonNode op = method.getValue();
                if (op.path("operationId").asString("").isBlank()) {
                    missing.add(where + ": operationId");
                }
                if (op.path("summary").asString("").isBlank()) {
                    missing.add(where + ": summary");
                }
                JsonNode json = op.path("requestBody").path("content").path("application/json");
                if (!json.isMissingNode() && json.path("examples").isEmpty()) {
                    missing.add(where + ": a request example");
                }
                if (!op.path("security").isEmpty() && op.path("responses").path("401").isMissingNode()) {
                    missing.add(where + ": 401");
                }
                for (Map.Entry<String, JsonNode> response : op.path("responses").properties()) {
                    int status = Integer.parseInt(response.getKey());
                    JsonNode content = response.getValue().path("content");
                    if (status == 416 && content.isMissingNode()) {
                        continue; // RFC 9110: an unsatisfiable Range gets an empty body and a Content-Range
                    }
                    if (status >= 400) {
                        JsonNode problem = content.path("application/problem+json");
                        if (problem.isMissingNode() || content.size() != 1) {
                            missing.add(where + " " + status + ": application/problem+json only");
                        } else if (problem.path("examples").isEmpty()) {
                            missing.add(where + " " + status + ": an example");
                        }
                    } else if (content.has("application/json") && content.path("application/json")
                            .path("examples").isEmpty()) {
                        missing.add(where + " " + status + ": a response example");
                    }
                }
            }
        }
        assertThat(missing).as("operations missing parts of their documentation").isEmpty();
    }

    /** The job spec's schema carries its rules and the pruning defaults, so that a generated client knows them before it posts. */
    @Test
    void theJobSpecSchemaNamesItsRequiredFieldsOptionsAndRanges() {
        JsonNode schemas = api.get("/v3/api-docs").json().get("components").get("schemas");
        assertThat(schemas.get("JobSpec").get("required").toString()).isEqualTo("[\"budget\",\"modelId\"]");
        JsonNode pruning = schemas.get("PruningSpec").get("properties");
        assertThat(pruning.get("scope").get("enum").toString()).isEqualTo("[\"channels\",\"filters\",null]");
        assertThat(pruning.get("attentionUnit").get("enum").toString()).isEqualTo("[\"head-width\",\"heads\",null]");
        assertThat(pruning.get("roundTo").get("minimum").asInt()).isEqualTo(1);
        assertThat(pruning.get("roundTo").get("maximum").asInt()).isEqualTo(4096);
        PruningOptions defaults = PruningOptions.defaults();
        assertThat(pruning.get("roundTo").get("default").asInt()).isEqualTo(defaults.roundTo());
        assertThat(pruning.get("scope").get("default").asString()).isEqualTo(OptionNames.label(defaults.scope()));
        assertThat(schemas.get("FineTuneSection").get("properties").get("head").get("enum").toString())
                .isEqualTo("[\"auto\",\"keep\",\"replace\",null]");
    }

    /** The examples are files under openapi/examples, referred to by name: a name without its file would dangle. */
    @Test
    void everyExampleReferenceNamesAnExampleFile() {
        JsonNode spec = api.get("/v3/api-docs").json();
        JsonNode examples = spec.path("components").path("examples");
        List<String> refs = new ArrayList<>();
        collectRefs(spec.get("paths"), refs);
        assertThat(refs).filteredOn(ref -> ref.startsWith("#/components/examples/")).isNotEmpty()
                .allSatisfy(ref -> assertThat(examples.has(ref.substring("#/components/examples/".length())))
                        .as(ref).isTrue());
    }

    private static void collectRefs(JsonNode node, List<String> refs) {
        if (node.has("$ref")) {
            refs.add(node.get("$ref").asString());
        }
        node.forEach(child -> collectRefs(child, refs));
    }

    /**
     * The service writes every field of an answer, a null one as null: generated clients type every field of an
     * answer as present, and the ones that may be null as nullable.
     */
    @Test
    void answersRequireEveryFieldAndNameTheNullableOnes() {
        JsonNode schemas = api.get("/v3/api-docs").json().get("components").get("schemas");
        JsonNode job = schemas.get("JobView");
        assertThat(job.get("required")).hasSize(job.get("properties").size());
        assertThat(job.get("properties").get("startedAt").get("type").toString()).isEqualTo("[\"string\",\"null\"]");
        assertThat(job.get("properties").get("error").get("oneOf").toString())
                .isEqualTo("[{\"$ref\":\"#/components/schemas/JobError\"},{\"type\":\"null\"}]");
        assertThat(job.get("properties").get("id").get("type").asString()).isEqualTo("string");
        assertThat(schemas.get("BudgetSpec").has("required")).as("a request schema keeps its own rules").isFalse();
    }

    private static String firstDifference(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end of file>";
            String y = i < b.length ? b[i] : "<end of file>";
            if (!x.equals(y)) {
                return "from line " + (i + 1) + ":\n  openapi.yaml: " + x + "\n  live:         " + y;
            }
        }
        return "(only in line endings)";
    }
}
