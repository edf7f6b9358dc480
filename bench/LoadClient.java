import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Load on a running Shears service: clients that each submit a small job and poll it until it ends, over and over,
 * for a fixed time. Prints p50/p99 latency of POST /v1/jobs and GET /v1/jobs/{id} and counts every non-2xx answer
 * (and every failed request) as an error. JDK only, so it runs as {@code java bench/LoadClient.java ...}.
 *
 * <pre>
 * java bench/LoadClient.java --base http://localhost:8080 --key KEY --model-file MODEL.onnx
 *      [--clients 32] [--seconds 60] [--poll-ms 100] [--fraction 0.9]
 * </pre>
 */
public class LoadClient {
    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z]+)\"");

    record Options(URI base, String key, Path modelFile, int clients, int seconds, int pollMs, double fraction) {
        static Options parse(String[] args) {
            Map<String, String> a = new HashMap<>(Map.of("--clients", "32", "--seconds", "60", "--poll-ms", "100",
                    "--fraction", "0.9"));
            for (int i = 0; i + 1 < args.length; i += 2) {
                a.put(args[i], args[i + 1]);
            }
            for (String required : List.of("--base", "--key", "--model-file")) {
                if (!a.containsKey(required)) {
                    throw new IllegalArgumentException("missing " + required);
                }
            }
            return new Options(URI.create(a.get("--base")), a.get("--key"), Path.of(a.get("--model-file")),
                    Integer.parseInt(a.get("--clients")), Integer.parseInt(a.get("--seconds")),
                    Integer.parseInt(a.get("--poll-ms")), Double.parseDouble(a.get("--fraction")));
        }
    }

    /** One client's measurements; merged at the end, so the clients never contend on shared state. */
    static final class Tally {
        final List<Long> postNanos = new ArrayList<>();
        final List<Long> getNanos = new ArrayList<>();
        final Map<String, Integer> errors = new TreeMap<>();
        int submitted;
        int finished;
        final Map<String, Integer> terminalStates = new TreeMap<>();

        void error(String what) {
            errors.merge(what, 1, Integer::sum);
        }
    }

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> upload = http.send(request(o, "/v1/models?name=load-bench")
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofFile(o.modelFile())).build(), HttpResponse.BodyHandlers.ofString());
        if (upload.statusCode() != 201) {
            throw new IllegalStateException("model upload failed: " + upload.statusCode() + " " + upload.body());
        }
        String model = first(ID, upload.body());
        String job = "{\"modelId\":\"" + model + "\",\"budget\":{\"fraction\":" + o.fraction() + "}}";

        long deadline = System.nanoTime() + Duration.ofSeconds(o.seconds()).toNanos();
        List<Tally> tallies = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < o.clients(); c++) {
            Tally t = new Tally();
            tallies.add(t);
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                    runClient(http, o, job, deadline, t);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "client-" + c);
            thread.start();
            threads.add(thread);
        }
        long began = System.nanoTime();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        double wall = (System.nanoTime() - began) / 1e9;
        report(o, tallies, wall);
    }

    private static void runClient(HttpClient http, Options o, String job, long deadline, Tally t)
            throws InterruptedException {
        while (System.nanoTime() < deadline) {
            Answer posted = send(http, request(o, "/v1/jobs").header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(job)).build());
            t.postNanos.add(posted.nanos());
            if (!posted.ok()) {
                t.error("POST /v1/jobs " + posted.status());
                Thread.sleep(o.pollMs());
                continue;
            }
            t.submitted++;
            String id = first(ID, posted.body());
            while (System.nanoTime() < deadline) {
                Thread.sleep(o.pollMs());
                Answer polled = send(http, request(o, "/v1/jobs/" + id).GET().build());
                t.getNanos.add(polled.nanos());
                if (!polled.ok()) {
                    t.error("GET /v1/jobs/{id} " + polled.status());
                    continue;
                }
                String state = first(STATE, polled.body());
                if (state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED")) {
                    t.finished++;
                    t.terminalStates.merge(state, 1, Integer::sum);
                    break;
                }
            }
        }
    }

    /** status -1: the request itself failed (connection refused, reset, timed out). */
    record Answer(int status, String body, long nanos) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    private static Answer send(HttpClient http, HttpRequest request) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), System.nanoTime() - t0);
        } catch (IOException e) {
            return new Answer(-1, e.toString(), System.nanoTime() - t0);
        }
    }

    private static HttpRequest.Builder request(Options o, String path) {
        return HttpRequest.newBuilder(o.base().resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + o.key());
    }

    private static String first(Pattern p, String text) {
        Matcher m = p.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + p + " in " + text);
        }
        return m.group(1);
    }

    private static void report(Options o, List<Tally> tallies, double wall) {
        long[] post = merged(tallies, true);
        long[] get = merged(tallies, false);
        Map<String, Integer> errors = new TreeMap<>();
        Map<String, Integer> states = new TreeMap<>();
        int submitted = 0;
        int finished = 0;
        for (Tally t : tallies) {
            t.errors.forEach((k, v) -> errors.merge(k, v, Integer::sum));
            t.terminalStates.forEach((k, v) -> states.merge(k, v, Integer::sum));
            submitted += t.submitted;
            finished += t.finished;
        }
        int errorCount = errors.values().stream().mapToInt(Integer::intValue).sum();
        System.out.printf(Locale.ROOT, "clients %d, %.1f s, poll every %d ms, budget fraction %s%n", o.clients(), wall,
                o.pollMs(), o.fraction());
        System.out.printf(Locale.ROOT, "jobs submitted %d, seen to the end %d %s%n", submitted, finished, states);
        System.out.println("| request | count | req/s | p50 ms | p99 ms | max ms |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        row("POST /v1/jobs", post, wall);
        row("GET /v1/jobs/{id}", get, wall);
        System.out.println("errors " + errorCount + (errors.isEmpty() ? "" : " " + errors));
    }

    private static void row(String name, long[] nanos, double wall) {
        System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %.1f |%n", name, nanos.length,
                nanos.length / wall, ms(percentile(nanos, 50)), ms(percentile(nanos, 99)),
                ms(nanos.length == 0 ? 0 : nanos[nanos.length - 1]));
    }

    private static long[] merged(List<Tally> tallies, boolean post) {
        long[] all = tallies.stream().flatMap(t -> (post ? t.postNanos : t.getNanos).stream())
                .mapToLong(Long::longValue).toArray();
        Arrays.sort(all);
        return all;
    }

    /** Nearest rank: the smallest sample at or above p percent of the samples. */
    private static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, rank - 1)];
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
