package io.shears.service;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends every spelling of the admin and actuator paths that a server, a proxy or a framework might read as that path,
 * with a tenant key and with no key, and collects each answer that is not a refusal (400, 401, 403) or that shows a
 * key or a metric. Requests go over a raw socket, so each path reaches the service byte for byte as written.
 * {@link PathAuthorizationTest} runs it in the build; {@code bench/path-escalation.sh} runs its {@link #main} against
 * the packaged jar. It uses the JDK alone, so that the script needs only the compiled test classes.
 */
public final class PathEscalationProbe {
    static final Set<Integer> REFUSED = Set.of(400, 401, 403);
    private static final String NEW_ADMIN_KEY = "{\"tenant\":\"default\",\"admin\":true}";

    private final String host;
    private final int port;

    PathEscalationProbe(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** What a run found: how many requests it sent and each one that was not refused, or leaked. */
    record Findings(int sent, List<String> failures) {
    }

    /**
     * @param tenantKey a key with the tenant role
     * @param keyId     the id of an existing key: the target of the DELETE variants, and a marker of a leaked list
     */
    Findings run(String tenantKey, String keyId) {
        List<String> targets = List.of("/v1/admin/keys", "/v1/admin/keys/" + keyId, "/actuator/prometheus",
                "/actuator/info", "/actuator/env", "/actuator/health/../prometheus");
        List<String> failures = new ArrayList<>();
        int sent = 0;
        for (String target : targets) {
            for (String path : spellings(target)) {
                for (String key : new String[]{tenantKey, null}) {
                    for (String method : methodsFor(target)) {
                        Reply r = send(method, path, key, method.equals("POST") ? NEW_ADMIN_KEY : null);
                        sent++;
                        boolean leaked = r.body().contains("shk_") || r.body().contains("shears_jobs")
                                || r.body().contains(keyId) || ServiceInternals.shown(r.body()) != null;
                        if (!REFUSED.contains(r.status()) || leaked) {
                            failures.add(method + " " + path + (key == null ? " (no key)" : " (tenant key)")
                                    + " -> " + r.status() + " " + r.body().substring(0, Math.min(120, r.body().length())));
                        }
                    }
                }
            }
        }
        return new Findings(sent, failures);
    }

    private static List<String> methodsFor(String target) {
        if (target.equals("/v1/admin/keys")) {
            return List.of("GET", "POST");
        }
        return target.startsWith("/v1/admin/keys/") ? List.of("GET", "DELETE") : List.of("GET");
    }

    /**
     * The ways a path can be written so that one reader sees the canonical path and another does not: a character
     * percent-encoded, case changed, a trailing or doubled slash, dot segments (plain and encoded), {@code ;}
     * parameters, an encoded or back slash, an encoded NUL and double encoding.
     */
    static Set<String> spellings(String path) {
        Set<String> out = new LinkedHashSet<>();
        out.add(path);
        out.add(path + "/");
        out.add(path.toUpperCase(Locale.ROOT));
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                out.add(path.substring(0, i) + percent(c) + path.substring(i + 1));
                all.append(percent(c));
            } else {
                all.append(c);
            }
            if (c == '/') {
                String before = path.substring(0, i);
                String after = path.substring(i);
                out.add(before + "/" + after);
                out.add(before + "/." + after);
                out.add(before + "/%2e" + after);
                out.add(before + "/x/.." + after);
                out.add(before + "/x/%2E%2E" + after);
                if (i > 0) {
                    out.add(before + ";x=1" + after);
                    out.add(before + ";" + after);
                    out.add(before + "%2F" + path.substring(i + 1));
                    out.add(before + "%2f" + path.substring(i + 1));
                    out.add(before + "\\" + path.substring(i + 1));
                    int cut = before.lastIndexOf('/') + 1;
                    out.add(before.substring(0, cut) + before.substring(cut, cut + 1).toUpperCase(Locale.ROOT)
                            + before.substring(cut + 1) + after);
                }
            }
        }
        out.add(all.toString());
        out.add(path + ";jsessionid=0");
        out.add(path + "%00");
        out.add(path + "%2e");
        int letter = Math.max(path.indexOf('a'), 2);
        out.add(path.substring(0, letter) + "%25" + Integer.toHexString(path.charAt(letter))
                + path.substring(letter + 1));
        return out;
    }

    private static String percent(char c) {
        return "%" + Integer.toHexString(c);
    }

    record Reply(int status, List<String> headers, String body) {
        String header(String name) {
            String prefix = name.toLowerCase(Locale.ROOT) + ":";
            return headers.stream().filter(h -> h.toLowerCase(Locale.ROOT).startsWith(prefix))
                    .map(h -> h.substring(prefix.length()).strip()).findFirst().orElse("");
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    /** One request over a fresh connection, the path sent byte for byte as given. */
    Reply send(String method, String path, String key, String json) {
        try (Socket socket = new Socket(host, port)) {
            socket.setSoTimeout(15_000);
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: ").append(host).append(':').append(port).append("\r\n")
                    .append("Connection: close\r\n");
            if (key != null) {
                head.append("Authorization: Bearer ").append(key).append("\r\n");
            }
            if (json != null) {
                head.append("Content-Type: application/json\r\n");
            }
            head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return parse(socket.getInputStream().readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    private static Reply parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        String[] lines = (end < 0 ? text : text.substring(0, end)).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        List<String> headers = List.of(lines).subList(1, lines.length);
        String body = end < 0 ? "" : new String(raw, end + 4, raw.length - end - 4, StandardCharsets.UTF_8);
        return new Reply(status, headers, body);
    }

    /**
     * Probes a running service: {@code PathEscalationProbe HOST PORT ADMIN_KEY}. Creates a tenant key with the admin
     * key, sends every spelling, prints the findings; exits 1 when any request was not refused.
     */
    public static void main(String[] args) {
        PathEscalationProbe probe = new PathEscalationProbe(args[0], Integer.parseInt(args[1]));
        Reply issued = probe.send("POST", "/v1/admin/keys", args[2], "{\"tenant\":\"probe\"}");
        if (issued.status() != 201) {
            throw new IllegalStateException("could not create a tenant key: " + issued);
        }
        Findings findings = probe.run(field(issued.body(), "key"), field(issued.body(), "id"));
        findings.failures().forEach(System.out::println);
        System.out.printf("%d requests, %d not refused%n", findings.sent(), findings.failures().size());
        System.exit(findings.failures().isEmpty() ? 0 : 1);
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\"\\s*:\\s*\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }
}
