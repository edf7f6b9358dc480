package io.shears.service;

import com.sun.net.httpserver.HttpServer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntUnaryOperator;

/**
 * A real HTTP receiver of job callbacks on 127.0.0.1, answering its n-th request (from 1) with {@code statusOf(n)},
 * and a Standard Webhooks verifier written from the specification rather than from the service's signer.
 */
final class WebhookReceiver implements AutoCloseable {
    record Received(String id, String timestamp, String signature, String body, int answered) {
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    WebhookReceiver(int port, IntUnaryOperator statusOf) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/hook", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            synchronized (received) {
                status = statusOf.applyAsInt(received.size() + 1);
                var h = exchange.getRequestHeaders();
                received.add(new Received(h.getFirst("webhook-id"), h.getFirst("webhook-timestamp"),
                        h.getFirst("webhook-signature"), body, status));
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** True when one of the header's space-separated {@code v1,} signatures is the HMAC of "id.timestamp.body". */
    static boolean verifies(String whsecSecret, Received r) {
        try {
            byte[] key = Base64.getDecoder().decode(whsecSecret.substring("whsec_".length()));
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] expected = mac.doFinal((r.id() + "." + r.timestamp() + "." + r.body())
                    .getBytes(StandardCharsets.UTF_8));
            for (String candidate : r.signature().split(" ")) {
                if (candidate.startsWith("v1,")
                        && java.security.MessageDigest.isEqual(expected,
                        Base64.getDecoder().decode(candidate.substring(3)))) {
                    return true;
                }
            }
            return false;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
