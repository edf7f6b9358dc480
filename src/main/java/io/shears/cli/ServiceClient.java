package io.shears.cli;

import io.shears.files.Sha256;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The calls {@code shears submit} makes to a Shears service, on the JDK's HTTP client. A refusal (4xx) becomes a
 * {@link RemoteCallException} with the problem's code and {@link ExitCodes#REFUSED}; a service that cannot be reached,
 * fails (5xx) or breaks a transfer off becomes one with {@link ExitCodes#UNREACHABLE}.
 */
final class ServiceClient {
    private static final Duration CALL_TIMEOUT = Duration.ofMinutes(10);

    private final URI server;
    private final String key;
    // Redirects are followed by hand: a download redirected to a presigned URL must not carry the API key there.
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    ServiceClient(URI server, String key) {
        this.server = server;
        this.key = key;
    }

    /** Sends the file as the raw body of {@code POST /v1/<collection>}, named after the file. */
    JsonNode upload(String collection, Path file) {
        String name = URLEncoder.encode(file.getFileName().toString(), StandardCharsets.UTF_8);
        HttpRequest.BodyPublisher body;
        try {
            body = HttpRequest.BodyPublishers.ofFile(file);
        } catch (java.io.FileNotFoundException e) {
            throw new RemoteCallException(ExitCodes.USAGE, "IO", "no such file: " + file);
        }
        return parse(call(api("/v1/" + collection + "?name=" + name).header("Content-Type",
                "application/octet-stream").POST(body)));
    }

    /** Asks the service to fetch the model or dataset itself ({@code s3://} or {@code https://}). */
    JsonNode fetch(String collection, String uri) {
        return postJson("/v1/" + collection, Map.of("uri", uri));
    }

    JsonNode postJson(String path, Object body) {
        byte[] bytes = JsonOutput.MAPPER.writeValueAsBytes(body);
        return parse(call(api(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))));
    }

    JsonNode get(String path) {
        return parse(call(api(path).GET()));
    }

    /**
     * Reads the job's Server-Sent Events until the service ends the stream (after a terminal state, or at its own
     * time limit), handing each event's data to {@code onEvent}.
     */
    void events(String jobId, Consumer<JsonNode> onEvent) {
        HttpRequest request = api("/v1/jobs/" + jobId + "/events").timeout(Duration.ofDays(1))
                .header("Accept", "text/event-stream").GET().build();
        HttpResponse<Stream<String>> response = send(request, HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw refusal(response.statusCode(), String.join("\n", response.body().toList()));
        }
        StringBuilder data = new StringBuilder();
        try (Stream<String> lines = response.body()) {
            lines.forEach(line -> {
                if (line.startsWith("data:")) {
                    data.append(line.substring(line.startsWith("data: ") ? 6 : 5));
                } else if (line.isEmpty() && !data.isEmpty()) {
                    onEvent.accept(parse(data.toString()));
                    data.setLength(0);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw unreachable(e.getCause());
        }
    }

    /**
     * Downloads the artifact to {@code target}, following a redirect (a presigned URL) without the API key, and checks
     * its SHA-256 against the one the service listed before the file takes its name.
     */
    void download(JsonNode artifact, Path target) throws IOException {
        HttpResponse<InputStream> response = send(api(artifact.get("url").asString()).timeout(CALL_TIMEOUT).GET()
                .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() / 100 == 3 && response.headers().firstValue("Location").isPresent()) {
            response.body().close();
            URI location = server.resolve(response.headers().firstValue("Location").get());
            response = send(HttpRequest.newBuilder(location).timeout(CALL_TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        }
        if (response.statusCode() != 200) {
            try (InputStream body = response.body()) {
                throw refusal(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        Path part = target.resolveSibling(target.getFileName() + ".part");
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = new DigestInputStream(response.body(), digest)) {
            Files.copy(in, part, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(part);
            throw unreachable(e);
        }
        String expected = artifact.get("sha256").asString();
        if (!Sha256.hex(digest).equals(expected)) {
            Files.deleteIfExists(part);
            throw new RemoteCallException(ExitCodes.UNREACHABLE, "DOWNLOAD_CORRUPT", "the download of "
                    + artifact.get("name").asString() + " does not have the SHA-256 the service listed");
        }
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
    }

    private HttpRequest.Builder api(String path) {
        return HttpRequest.newBuilder(server.resolve(path)).timeout(CALL_TIMEOUT)
                .header("Authorization", "Bearer " + key);
    }

    private String call(HttpRequest.Builder request) {
        HttpResponse<String> response = send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw refusal(response.statusCode(), response.body());
        }
        return response.body();
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteCallException(ExitCodes.UNREACHABLE, "INTERRUPTED", "interrupted");
        }
    }

    private RemoteCallException unreachable(Throwable e) {
        String reason = e instanceof java.net.ConnectException ? "connection refused"
                : e instanceof java.net.http.HttpTimeoutException ? "timed out"
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new RemoteCallException(ExitCodes.UNREACHABLE, "UNREACHABLE", "cannot reach " + server + ": "
                + reason);
    }

    /** A problem document's code and detail; a 5xx is the service's fault and worth a retry, a 4xx is not. */
    private static RemoteCallException refusal(int status, String body) {
        int exit = status >= 500 ? ExitCodes.UNREACHABLE : ExitCodes.REFUSED;
        try {
            JsonNode problem = JsonOutput.MAPPER.readTree(body);
            if (problem.hasNonNull("code")) {
                return new RemoteCallException(exit, problem.get("code").asString(), "HTTP " + status + ": "
                        + problem.path("detail").asString(""));
            }
        } catch (JacksonException e) {
            // Not a problem document (a proxy's page, say): the status is all there is to say.
        }
        return new RemoteCallException(exit, "HTTP_" + status, "the service answered HTTP " + status);
    }

    private static JsonNode parse(String text) {
        try {
            return JsonOutput.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new RemoteCallException(ExitCodes.UNREACHABLE, "UNEXPECTED_ANSWER", "the service's answer is "
                    + "not JSON; is --server a Shears service?");
        }
    }
}
