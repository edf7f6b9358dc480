package io.shears.service;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Swagger UI and a job's report.html as a browser renders them: headless Chromium runs their scripts and dumps the
 * resulting DOM, so a page that only works as source text (a broken script, a missing asset, SVG the parser drops)
 * fails here. Skipped where no Chromium is installed.
 */
class BrowserCheckTest extends ServiceTestSupport {
    static final String CHROMIUM_PROPERTY = "shears.chromium";
    static final Duration BROWSER_TIMEOUT = Duration.ofSeconds(60);

    static Path chromium;

    @BeforeAll
    static void findChromium() {
        Optional<Path> found = Optional.ofNullable(System.getProperty(CHROMIUM_PROPERTY)).map(Path::of)
                .filter(Files::isExecutable)
                .or(() -> Stream.of("chromium", "chromium-browser", "google-chrome")
                        .flatMap(name -> Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                                .map(dir -> Path.of(dir, name)))
                        .filter(Files::isExecutable).findFirst());
        assumeTrue(found.isPresent(), "no Chromium found on PATH (chromium, chromium-browser, google-chrome) or in -D"
                + CHROMIUM_PROPERTY + "; install it with: apt-get install -y chromium");
        chromium = found.get();
    }

    @Test
    void swaggerUiRendersAnOperationBlockForEveryJobsOperation() throws Exception {
        List<Element> dom = render("http://localhost:" + port + "/swagger-ui.html");
        List<String> operations = dom.stream().filter(e -> e.hasClass("opblock"))
                .map(e -> e.attributes().getOrDefault("id", "")).toList();
        assertThat(operations).as("rendered operation blocks").contains("operations-Jobs-submitJob",
                "operations-Jobs-listJobs", "operations-Jobs-getJob", "operations-Jobs-cancelJob",
                "operations-Models-uploadModel", "operations-Artifacts-downloadArtifact");
        assertThat(dom.stream().filter(e -> e.hasClass("opblock-summary-path"))
                .map(e -> e.attributes().get("data-path")))
                .contains("/v1/jobs", "/v1/jobs/{id}", "/v1/models");
    }

    @Test
    void aJobsReportHtmlDrawsItsCharts() throws Exception {
        // The accuracy chart is drawn only for a job that evaluated a dataset.
        var model = api.postBytes("/v1/models?name=small", ServiceFixtures.smallCnn(), "application/octet-stream");
        assertThat(model.status()).as(model.toString()).isEqualTo(201);
        var dataset = api.postBytes("/v1/datasets?name=bands", ServiceFixtures.idxDataset(tmp, 10, 6, 4),
                "application/zip");
        assertThat(dataset.status()).as(dataset.toString()).isEqualTo(201);
        var job = api.postJson("/v1/jobs", Map.of("modelId", model.json().get("id").asString(),
                "budget", Map.of("fraction", 0.8), "pruning", Map.of("scope", "channels", "roundTo", 1),
                "evaluation", Map.of("datasetId", dataset.json().get("id").asString())));
        assertThat(job.status()).as(job.toString()).isEqualTo(202);
        JsonNode done = awaitTerminal(job.json().get("id").asString());
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("SUCCEEDED");
        String url = null;
        for (JsonNode a : done.get("result").get("artifacts")) {
            if (a.get("name").asString().equals("report.html")) {
                url = a.get("url").asString();
            }
        }
        assertThat(url).as("report.html among " + done.get("result").get("artifacts")).isNotNull();
        var report = api.get(url);
        assertThat(report.status()).isEqualTo(200);
        Path file = tmp.resolve("report.html");
        Files.write(file, report.body());

        List<Element> dom = render(file.toUri().toString());
        for (String chart : List.of("chart-macs", "chart-channels", "chart-accuracy")) {
            assertThat(dom).as("svg#" + chart).anyMatch(e -> e.tag().equals("svg")
                    && chart.equals(e.attributes().get("id")));
        }
    }

    /** The DOM after the page's scripts ran, as Chromium serialises it. */
    private List<Element> render(String url) throws IOException, InterruptedException {
        Path out = tmp.resolve("dom-" + System.nanoTime() + ".html");
        Path log = tmp.resolve("chromium-" + System.nanoTime() + ".log");
        // A profile of its own, so that a Chromium someone else runs on this machine does not take the page over.
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + tmp.resolve("profile-" + System.nanoTime()), "--virtual-time-budget=10000",
                "--dump-dom", url)
                .redirectOutput(out.toFile()).redirectError(log.toFile()).start();
        if (!p.waitFor(BROWSER_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError("Chromium did not finish " + url + " in " + BROWSER_TIMEOUT + "; its log:\n"
                    + tail(log));
        }
        String dom = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("Chromium's exit code; its log:\n" + tail(log)).isZero();
        assertThat(dom).as("the DOM Chromium dumped; its log:\n" + tail(log)).isNotBlank();
        return Element.startTags(dom);
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /**
     * A start tag of the serialised DOM. Chromium writes every attribute value in double quotes with '"' escaped,
     * so start tags can be read with a pattern; nesting is not needed for these checks.
     */
    record Element(String tag, Map<String, String> attributes) {
        private static final Pattern START_TAG =
                Pattern.compile("<([a-zA-Z][a-zA-Z0-9-]*)((?:\\s+[^\\s=>/]+(?:=\"[^\"]*\")?)*)\\s*/?>");
        private static final Pattern ATTRIBUTE = Pattern.compile("([^\\s=>/]+)(?:=\"([^\"]*)\")?");

        static List<Element> startTags(String html) {
            List<Element> out = new ArrayList<>();
            Matcher m = START_TAG.matcher(html);
            while (m.find()) {
                Map<String, String> attributes = new LinkedHashMap<>();
                Matcher a = ATTRIBUTE.matcher(m.group(2));
                while (a.find()) {
                    attributes.put(a.group(1), a.group(2) == null ? "" : unescape(a.group(2)));
                }
                out.add(new Element(m.group(1).toLowerCase(java.util.Locale.ROOT), attributes));
            }
            return out;
        }

        boolean hasClass(String name) {
            return List.of(attributes.getOrDefault("class", "").split("\\s+")).contains(name);
        }

        private static String unescape(String value) {
            return value.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
        }
    }
}
