package io.shears.service;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every refusal is problem+json with a stable code and a message for the client, never a Java type, a method
 * signature or a server-side file name; and that holds for requests Tomcat rejects before any controller runs.
 */
@ExtendWith(OutputCaptureExtension.class)
class ErrorBodiesTest extends ServiceTestSupport {

    @Test
    void aMissingOrNullJobBodyIsMalformedJsonWithoutTheControllersSignature() {
        assertProblem(api.postJson("/v1/jobs", ""), 400, "MALFORMED_JSON");
        assertProblem(api.postJson("/v1/jobs", "null"), 400, "MALFORMED_JSON");
        var syntax = api.postJson("/v1/jobs", "{\"modelId\": ");
        assertProblem(syntax, 400, "MALFORMED_JSON");
        assertThat(syntax.json().get("detail").asString()).contains("line 1");
    }

    @Test
    void aBadQueryParameterSaysWhatItShouldBe() {
        var state = api.get("/v1/jobs?state=bogus");
        assertProblem(state, 400, "INVALID_PARAMETER");
        assertThat(state.json().get("detail").asString()).isEqualTo(
                "state: 'bogus' is not one of QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED");
        var page = api.get("/v1/jobs?page=first");
        assertProblem(page, 400, "INVALID_PARAMETER");
        assertThat(page.json().get("detail").asString()).isEqualTo("page: 'first' is not an integer");
        assertProblem(api.get("/v1/jobs?size=500"), 422, "INVALID_PARAMETER");
    }

    @Test
    void aJsonTypeErrorNamesTheFieldAndTheExpectedKindOnly() {
        var key = api.postJson("/v1/admin/keys", Map.of("tenant", "x", "admin", Map.of("a", 1)));
        assertProblem(key, 422, "INVALID_FIELD");
        assertThat(key.json().get("field").asString()).isEqualTo("admin");
        assertThat(key.json().get("detail").asString()).isEqualTo("admin: expected true or false");
        var unknown = api.postJson("/v1/admin/keys", Map.of("tenant", "x", "owner", "me"));
        assertProblem(unknown, 422, "INVALID_FIELD");
        assertThat(unknown.json().get("detail").asString()).isEqualTo("owner: unknown field");
    }

    @Test
    void aJobSpecOptionOutsideItsEnumOrANumberOutOfRangeNamesTheField() {
        var scope = api.postJson("/v1/jobs", "{\"modelId\":\"m1\",\"budget\":{\"fraction\":0.5},"
                + "\"pruning\":{\"scope\":\"kernels\"}}");
        assertProblem(scope, 422, "INVALID_FIELD");
        assertThat(scope.json().get("field").asString()).isEqualTo("pruning.scope");
        assertThat(scope.json().get("detail").asString())
                .isEqualTo("pruning.scope: must be one of [channels, filters], got 'kernels'");
        var roundTo = api.postJson("/v1/jobs", "{\"modelId\":\"m1\",\"budget\":{\"fraction\":0.5},"
                + "\"pruning\":{\"roundTo\":5000}}");
        assertProblem(roundTo, 422, "INVALID_FIELD");
        assertThat(roundTo.json().get("field").asString()).isEqualTo("pruning.roundTo");
        assertThat(roundTo.json().get("detail").asString()).contains("4096");
    }

    @Test
    void anUnparseableUploadDoesNotNameTheServersTemporaryFile() {
        var model = api.postBytes("/v1/models", "definitely not onnx".getBytes(StandardCharsets.UTF_8),
                "application/octet-stream");
        assertProblem(model, 400, "MODEL_UNPARSEABLE");
        var dataset = api.postBytes("/v1/datasets", "not an archive".getBytes(StandardCharsets.UTF_8),
                "application/zip");
        assertProblem(dataset, 400, "DATASET_UNSUPPORTED_FORMAT");
        assertThat(dataset.json().get("detail").asString()).contains("the upload starts with");
    }

    @Test
    void requestsTomcatRejectsAreProblemJsonToo() throws IOException {
        expectProblem(400, "MALFORMED_REQUEST", "GET", "/v1%2Fmodels");
        expectProblem(400, "MALFORMED_REQUEST", "GET", "/v1/models%00");
        expectProblem(400, "MALFORMED_REQUEST", "GET", "/v1/models", "X-Large", "a".repeat(20_000));
        expectProblem(400, "MALFORMED_REQUEST", "POST", "/v1/jobs", "Content-Length", "-5");
        expectProblem(405, "METHOD_NOT_ALLOWED", "TRACE", "/v1/models", "Authorization", "Bearer " + ADMIN_KEY);
        expectProblem(405, "METHOD_NOT_ALLOWED", "PUT", "/v1/models", "Authorization", "Bearer " + ADMIN_KEY);
    }

    @Test
    void aClientThatHangsUpMidUploadIsNotAnErrorInTheLog(CapturedOutput output) throws Exception {
        int before = output.getAll().length();
        for (int i = 0; i < 5; i++) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_KEY
                        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 10000000\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(new byte[200_000]);
                out.flush();
            }
        }
        // The service notices each hang-up when it next reads; give it that moment, then check what it logged.
        assertThat(api.get("/v1/models").status()).isEqualTo(200);
        Thread.sleep(1_000);
        String logged = output.getAll().substring(before);
        assertThat(logged).doesNotContain("ClientAbortException").doesNotContain(" ERROR ");
    }

    private void expectProblem(int status, String code, String method, String path, String... headers)
            throws IOException {
        try (RawHttpConnection connection = new RawHttpConnection(port)) {
            RawHttpConnection.Response r = connection.send(method, path, headers);
            String body = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.status()).as(method + " " + path + " -> " + r + "\n" + body).isEqualTo(status);
            assertThat(r.header("Content-Type")).as(body).startsWith("application/problem+json");
            assertThat(body).contains("\"code\":\"" + code + "\"");
            ServiceInternals.assertNotShown(method + " " + path, body);
            ErrorCatalog.assertDocumented(status, code);
        }
    }
}
