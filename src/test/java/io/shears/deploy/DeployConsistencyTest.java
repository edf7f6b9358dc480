package io.shears.deploy;

import io.shears.config.ShearsProperties;
import io.shears.engine.startup.JitCompilers;
import io.shears.engine.startup.MallocTunables;
import io.shears.engine.startup.OpenMpEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.shears.deploy.Yamls.at;
import static io.shears.deploy.Yamls.list;
import static io.shears.deploy.Yamls.map;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * docker-compose.yml, the Dockerfile, .dockerignore and docs/deploying.md against the chart and the app: the same
 * settings under the same names, so a fix in one place cannot silently miss the others.
 */
class DeployConsistencyTest {
    private static Map<String, Object> compose;
    private static Map<String, Object> services;
    private static String dockerfile;
    private static RenderedChart chart;

    @BeforeAll
    static void load() throws IOException {
        compose = Yamls.load(Path.of("docker-compose.yml"));
        services = map(compose.get("services"));
        dockerfile = Files.readString(Path.of("Dockerfile"));
        // The endpoint is empty by default (AWS); compose always sets one, so render with one to compare names.
        chart = RenderedChart.render(Map.of("artifacts.s3.endpoint", "http://minio:9000"));
    }

    @Test
    void composeHasTheStackAndItsStartOrder() {
        assertThat(services).containsKeys("postgres", "minio", "minio-init", "api", "worker", "worker-gpu");
        assertThat(map(at(service("api"), "depends_on"))).containsEntry("postgres",
                Map.of("condition", "service_healthy")).containsEntry("minio-init",
                Map.of("condition", "service_completed_successfully"));
        assertThat(map(at(service("minio-init"), "depends_on")))
                .containsEntry("minio", Map.of("condition", "service_healthy"));
        assertThat(String.valueOf(service("minio-init").get("command"))).contains("mc mb --ignore-existing local/shears");
        for (String name : List.of("postgres", "minio", "api", "worker", "worker-gpu")) {
            assertThat(list(at(service(name), "healthcheck", "test"))).as(name + " healthcheck").isNotEmpty();
        }
        assertThat(String.valueOf(at(service("postgres"), "healthcheck", "test"))).contains("pg_isready");
        assertThat(String.valueOf(at(service("api"), "healthcheck", "test"))).contains("/actuator/health/readiness");
    }

    @Test
    void onlyTheApiPublishesAPort() {
        assertThat(list(service("api").get("ports"))).containsExactly("8080:8080");
        assertThat(service("worker")).doesNotContainKey("ports");
        assertThat(service("worker-gpu")).doesNotContainKey("ports");
        assertThat(at(service("worker"), "deploy", "replicas")).isEqualTo(2);
    }

    @Test
    void theGpuProfileReservesAnNvidiaDeviceAndBuildsTheGpuImage() {
        Map<String, Object> gpu = service("worker-gpu");
        assertThat(list(gpu.get("profiles"))).containsExactly("gpu");
        assertThat(list(at(gpu, "deploy", "resources", "reservations", "devices"))).singleElement()
                .isEqualTo(Map.of("driver", "nvidia", "count", 1, "capabilities", List.of("gpu")));
        assertThat(at(gpu, "build", "args", "FLAVOR")).isEqualTo("gpu");
        assertThat(map(gpu.get("environment"))).containsEntry("SHEARS_ENGINE_DEVICE", "gpu");
        // The CPU services are not in the profile, so `docker compose up` alone never asks for a GPU.
        for (String name : List.of("postgres", "minio", "minio-init", "api", "worker")) {
            assertThat(service(name)).as(name).doesNotContainKey("profiles");
            assertThat(String.valueOf(service(name))).as(name).doesNotContain("nvidia");
        }
        assertThat(at(service("worker"), "build", "args", "FLAVOR")).isEqualTo("cpu");
        assertThat(map(service("worker").get("environment"))).containsEntry("SHEARS_ENGINE_DEVICE", "cpu");
    }

    @Test
    void composeAndTheChartSetTheSameSettingsPerRole() {
        Map<String, String> api = composeEnv("api");
        Map<String, String> worker = composeEnv("worker");
        assertThat(api).containsEntry("SHEARS_ROLE", "api");
        assertThat(worker).containsEntry("SHEARS_ROLE", "worker");
        assertThat(new TreeSet<>(api.keySet())).as("api")
                .isEqualTo(new TreeSet<>(chart.envNames(chart.deployment("api"))));
        assertThat(new TreeSet<>(worker.keySet())).as("worker")
                .isEqualTo(new TreeSet<>(chart.envNames(chart.deployment("worker"))));
        assertThat(new TreeSet<>(composeEnv("worker-gpu").keySet())).as("worker-gpu")
                .isEqualTo(new TreeSet<>(worker.keySet()));

        Map<String, String> chartWorker = chart.effectiveEnv(chart.deployment("worker"));
        for (String same : List.of("SHEARS_DATA_DIR", "SERVER_SHUTDOWN", "SHEARS_ARTIFACTS_TYPE",
                "SHEARS_ARTIFACTS_S3_BUCKET", "SHEARS_ARTIFACTS_S3_REGION",
                "JOBRUNR_BACKGROUND_JOB_SERVER_POLL_INTERVAL_IN_SECONDS",
                "JOBRUNR_BACKGROUND_JOB_SERVER_SERVER_TIMEOUT_POLL_INTERVAL_MULTIPLICAND",
                "JOBRUNR_BACKGROUND_JOB_SERVER_INTERRUPT_JOBS_AWAIT_DURATION_ON_STOP",
                "SPRING_LIFECYCLE_TIMEOUT_PER_SHUTDOWN_PHASE", "JAVA_TOOL_OPTIONS", "SHEARS_ENGINE_INTRAOP_THREADS")) {
            assertThat(worker.get(same)).as(same).isEqualTo(chartWorker.get(same));
        }
        // Compose's stop_grace_period plays the chart's terminationGracePeriodSeconds.
        assertThat(service("worker").get("stop_grace_period")).isEqualTo(
                at(chart.deployment("worker"), "spec", "template", "spec", "terminationGracePeriodSeconds") + "s");
        assertThat(worker.get("SPRING_DATASOURCE_URL")).startsWith("jdbc:postgresql://postgres:5432/");
        assertThat(worker.get("SHEARS_ARTIFACTS_S3_PATH_STYLE")).isEqualTo("true");
        assertThat(api.get("SHEARS_API_KEY")).isEqualTo("${SHEARS_API_KEY:-change-me-0123456789}");
    }

    @Test
    void springAndJobRunrSettingsAreOnesTheLibrariesKnow() throws IOException {
        Set<String> known = new HashSet<>();
        for (var resource : new PathMatchingResourcePatternResolver()
                .getResources("classpath*:META-INF/spring-configuration-metadata.json")) {
            try (InputStream in = resource.getInputStream()) {
                Matcher name = Pattern.compile("\"name\"\\s*:\\s*\"([^\"]+)\"")
                        .matcher(new String(in.readAllBytes()));
                while (name.find()) {
                    known.add(name.group(1));
                }
            }
        }
        Set<String> names = new TreeSet<>(composeEnv("api").keySet());
        names.addAll(composeEnv("worker").keySet());
        names.addAll(chart.envNames(chart.deployment("worker")));
        RenderedChart tuned = RenderedChart.render(Map.of("worker.jobsPerPod", "1"));
        names.addAll(tuned.envNames(tuned.deployment("worker")));
        List<String> unknown = new ArrayList<>();
        for (String env : names) {
            if (env.startsWith("SPRING_") || env.startsWith("SERVER_") || env.startsWith("JOBRUNR_")) {
                // Relaxed binding reads FOO_BAR_BAZ as foo.bar.baz, foo.bar-baz, ...: one of them must exist.
                if (!known.contains(relaxed(env, known))) {
                    unknown.add(env);
                }
            }
        }
        assertThat(unknown).as("no Spring or JobRunr property by these names").isEmpty();
    }

    @Test
    void shearsSettingsAreOnesTheAppReads() throws IOException {
        Set<String> known = new HashSet<>(Yamls.leaves(Yamls.load(Path.of("src/main/resources/application.yml")))
                .keySet());
        // application.yml leaves out what defaults in Java; the properties record names every setting.
        addSettings("shears", ShearsProperties.class, known);
        Set<String> names = new TreeSet<>(composeEnv("api").keySet());
        names.addAll(composeEnv("worker").keySet());
        names.addAll(chart.envNames(chart.deployment("api")));
        names.addAll(chart.envNames(chart.deployment("worker")));
        Matcher env = Pattern.compile("\\b(SHEARS_[A-Z0-9_]+)=").matcher(dockerfile);
        while (env.find()) {
            names.add(env.group(1));
        }
        List<String> unknown = new ArrayList<>();
        for (String name : names) {
            // SHEARS_API_KEY and SHEARS_METRICS_KEY are read as ${NAME:} in application.yml, not bound by name.
            if (name.startsWith("SHEARS_") && !name.equals("SHEARS_API_KEY") && !name.equals("SHEARS_METRICS_KEY")
                    && !known.contains(relaxed(name, known))) {
                unknown.add(name);
            }
        }
        assertThat(unknown).as("SHEARS_* settings application.yml does not have").isEmpty();
        assertThat(names).contains("SHEARS_ROLE", "SHEARS_DATA_DIR", "SHEARS_ENGINE_CACHE_DIR");
    }

    @Test
    void theImageRunsAsAnUnprivilegedUserWithAHealthcheck() {
        List<String> user = instructions("USER");
        assertThat(user).isNotEmpty();
        String last = user.get(user.size() - 1);
        assertThat(last).doesNotStartWith("root").doesNotStartWith("0");
        assertThat(last.split(":")[0]).isEqualTo(String.valueOf(
                at(chart.deployment("worker"), "spec", "template", "spec", "securityContext", "runAsUser")));
        assertThat(instructions("HEALTHCHECK")).singleElement().asString()
                .contains("/actuator/health/liveness").contains("curl");
        assertThat(instructions("EXPOSE")).containsExactly("8080");
        assertThat(instructions("ENTRYPOINT")).containsExactly("[\"java\", \"-jar\", \"/opt/shears/shears.jar\"]");
        assertThat(instructions("WORKDIR")).last().isEqualTo("/var/lib/shears");
        assertThat(dockerfile).contains("FROM maven:3.9-eclipse-temurin-17 AS build")
                .contains("--mount=type=cache,target=/root/.m2");
        assertThat(dockerfile).contains("SHEARS_DATA_DIR=" + chart.effectiveEnv(chart.deployment("api"))
                .get("SHEARS_DATA_DIR"));
    }

    /** glibc reads its tunables only from the environment at process start, so every launcher must set them alike. */
    @Test
    void everyLauncherSetsTheMallocTunablesTheCodeDocuments() throws IOException {
        assertEveryLauncherSets(MallocTunables.VARIABLE, MallocTunables.LAUNCHER_VALUE);
    }

    /** OpenMP reads its spin from the environment once, when the native library loads: every launcher sets it alike. */
    @Test
    void everyLauncherSetsTheOpenMpSpinTheCodeDocuments() throws IOException {
        assertEveryLauncherSets(OpenMpEnvironment.SPIN_VARIABLE, OpenMpEnvironment.LAUNCHER_SPIN_COUNT);
    }

    /** The image's ENV, bin/shears (unless the environment has it already) and spring-boot:run set {@code name}. */
    private void assertEveryLauncherSets(String name, String value) throws IOException {
        assertThat(dockerfile).containsPattern(Pattern.quote(name + "=" + value) + "(\\s|$)");
        assertThat(Files.readString(Path.of("bin/shears")))
                .contains(name + "=${" + name + ":-" + value + "}")
                .contains("export " + name);
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<" + name + ">" + value + "</" + name + ">");
    }

    /** The JVM reads its compiler options only at start, so every CPU launcher of the service passes them alike. */
    @Test
    void everyCpuLauncherStartsTheServiceWithTheCompilersTheCodeDocuments() throws IOException {
        String option = JitCompilers.LAUNCHER_OPTION;
        int cpuBase = dockerfile.indexOf("AS base-cpu");
        int gpuBase = dockerfile.indexOf("AS base-gpu");
        int setting = dockerfile.indexOf("ENV JDK_JAVA_OPTIONS=" + option);
        assertThat(setting).as("the CPU image's base sets it, the GPU image's does not").isBetween(cpuBase, gpuBase);
        assertThat(dockerfile.indexOf("JDK_JAVA_OPTIONS", gpuBase)).isNegative();
        assertThat(Files.readString(Path.of("bin/shears")))
                .contains("SHEARS_SERVE_JAVA_OPTS=${SHEARS_SERVE_JAVA_OPTS:-" + option + "}")
                .contains("serve|-*) serve_opts=$SHEARS_SERVE_JAVA_OPTS");
        // spring-boot:run's optimized launch passes the same option
        assertThat(Files.readString(Path.of("pom.xml"))).doesNotContain("<optimizedLaunch>false");
    }

    @Test
    void theImageExtractsPyTorchAtBuildTimeWhereTheAppLooksForIt() {
        Matcher run = Pattern.compile("java -Dshears\\.engine\\.cache-dir=(\\S+) -jar /opt/shears/shears\\.jar engine")
                .matcher(dockerfile);
        assertThat(run.find()).as("the engine extraction RUN").isTrue();
        String cache = run.group(1);
        assertThat(instructions("RUN")).anyMatch(r -> r.contains(run.group()));
        // Runtime must read the same directory, else the container extracts again (or fails read-only).
        assertThat(dockerfile).contains("SHEARS_ENGINE_CACHE_DIR=" + cache);
        assertThat(dockerfile).contains("chown -R 10001:10001 " + cache);
        // The extraction runs in the image the container runs, after the jar is in place.
        assertThat(dockerfile.indexOf(run.group())).isGreaterThan(dockerfile.indexOf("COPY --from=build /shears.jar"));
    }

    @Test
    void theGpuFlavorUsesCuda124AndTheGpuProfile() throws IOException {
        assertThat(dockerfile).contains("ARG FLAVOR=cpu")
                .contains("gpu) profile=-Pgpu ;;")
                .contains("cpu) profile= ;;")
                .contains("ARG CUDA_IMAGE=nvidia/cuda:12.4.1-cudnn-runtime-ubuntu22.04")
                .contains("FROM ${CUDA_IMAGE} AS base-gpu")
                .contains("FROM base-${FLAVOR} AS runtime");
        assertThat(dockerfile).contains("mvn -B -ntp $profile");
        // The profile the image asks for is the one pom.xml swaps CUDA in with.
        assertThat(Files.readString(Path.of("pom.xml"))).contains("<id>gpu</id>")
                .contains("<pytorch.native.artifact>pytorch-native-cu124</pytorch.native.artifact>");
    }

    @Test
    void theBuildContextHoldsTheSourcesAndNothingLocal() throws IOException {
        List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(Path.of("src/main"))) {
            sources = files.filter(Files::isRegularFile).toList();
        }
        assertThat(sources).isNotEmpty();
        for (Path source : sources) {
            assertThat(ignored(rules, source.toString())).as(source.toString()).isFalse();
        }
        assertThat(ignored(rules, "pom.xml")).isFalse();
        for (String local : List.of("target/shears.jar", "data/db/shears.mv.db", "bench/models/out/resnet.onnx",
                ".git/HEAD", "src/test/resources/models/x.onnx", ".idea/workspace.xml", "shears.iml")) {
            assertThat(ignored(rules, local)).as(local).isTrue();
        }
    }

    @Test
    void theGuidesHelmSettingsExistInTheChart() throws IOException {
        String guide = Files.readString(Path.of("docs/deploying.md"));
        Set<String> values = Yamls.leaves(Yamls.load(RenderedChart.CHART.resolve("values.yaml"))).keySet();
        Matcher set = Pattern.compile("--set(?:-string)?[ =]([A-Za-z0-9_.\\[\\]]+)=").matcher(guide);
        List<String> keys = new ArrayList<>();
        while (set.find()) {
            keys.add(set.group(1));
        }
        assertThat(keys).as("--set keys in docs/deploying.md").isNotEmpty().allSatisfy(key ->
                assertThat(values).anyMatch(v -> v.equals(key) || v.startsWith(key + ".")));
        assertThat(guide).contains("docker compose up").contains("helm install shears helm/shears")
                .contains("worker.gpu.enabled=false").contains("secrets.existingSecret")
                .contains("pruning.roundTo");
    }

    private static Map<String, Object> service(String name) {
        return map(services.get(name));
    }

    /** A service's environment with YAML merges applied, values as written (variables unexpanded). */
    private static Map<String, String> composeEnv(String name) {
        Map<String, String> env = new LinkedHashMap<>();
        map(service(name).get("environment")).forEach((k, v) -> env.put(k, String.valueOf(v)));
        return env;
    }

    private List<String> instructions(String keyword) {
        // Joins continuation lines first, so a RUN's whole script is one instruction.
        String joined = dockerfile.replaceAll("\\\\\\R", " ");
        List<String> out = new ArrayList<>();
        for (String line : joined.split("\\R")) {
            String l = line.strip();
            if (l.regionMatches(true, 0, keyword + " ", 0, keyword.length() + 1)) {
                out.add(l.substring(keyword.length() + 1).strip());
            }
        }
        return out;
    }

    /** The property {@code env} binds to, when one of its dotted/dashed spellings is {@code known}. */
    /** Each setting a properties record binds, under the dashed name Spring gives it ({@code shears.work-dir}). */
    private static void addSettings(String prefix, Class<?> type, Set<String> out) {
        for (RecordComponent component : type.getRecordComponents()) {
            String name = prefix + "." + component.getName().replaceAll("([a-z0-9])([A-Z])", "$1-$2")
                    .toLowerCase(Locale.ROOT);
            if (component.getType().isRecord()) {
                addSettings(name, component.getType(), out);
            } else {
                out.add(name);
            }
        }
    }

    private static String relaxed(String env, Set<String> known) {
        String[] parts = env.toLowerCase(Locale.ROOT).split("_");
        List<String> candidates = List.of(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            List<String> next = new ArrayList<>();
            for (String c : candidates) {
                next.add(c + "." + parts[i]);
                next.add(c + "-" + parts[i]);
            }
            candidates = next;
        }
        return candidates.stream().filter(known::contains).findFirst().orElse(env);
    }

    /** Docker's rule: the last matching pattern decides; a pattern also matches everything under a directory. */
    private static boolean ignored(List<String> rules, String path) {
        boolean ignored = false;
        for (String rule : rules) {
            boolean negate = rule.startsWith("!");
            String pattern = (negate ? rule.substring(1) : rule).replaceAll("/+$", "");
            PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            Path p = Path.of(path);
            for (int i = 1; i <= p.getNameCount(); i++) {
                if (matcher.matches(p.subpath(0, i))) {
                    ignored = !negate;
                    break;
                }
            }
        }
        return ignored;
    }
}
