package io.shears.service;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A thousand clients that trickle request bodies do not take the service down: health and the API keep answering
 * within a second while they are connected, and the server lets go of every one of them.
 */
class SlowClientsTest extends ServiceTestSupport {
    private static final int CLIENTS = 1_000;
    private static final Duration HOLD = Duration.ofSeconds(15);
    private static final long ANSWER_BOUND_MS = 1_000;

    @Test
    void aThousandSlowBodiesLeaveHealthAndTheApiAnswering() throws Exception {
        // One descriptor for the client's end of each connection and one for the server's, both in this process.
        long free = SlowBodyClients.freeFileDescriptors();
        assertThat(free).as("%d slow clients need %d free file descriptors in this process (client and server ends); "
                + "raise ulimit -n", CLIENTS, 2 * CLIENTS + 200).isGreaterThanOrEqualTo(2L * CLIENTS + 200);

        String job = api.postJson("/v1/jobs", Map.of("modelId", upload(ServiceFixtures.smallCnn()),
                "budget", Map.of("fraction", 0.5))).json().get("id").asString();
        awaitTerminal(job);

        SlowBodyClients.Prober prober = new SlowBodyClients.Prober(port, ADMIN_KEY);
        List<SlowBodyClients.Probe> health = new ArrayList<>();
        List<SlowBodyClients.Probe> jobs = new ArrayList<>();
        long opened;
        long dropped;
        try (SlowBodyClients clients = SlowBodyClients.start(port, "/v1/models", CLIENTS)) {
            assertThat(clients.awaitAllConnected(Duration.ofSeconds(30))).as("all %d slow clients connected", CLIENTS)
                    .isTrue();
            long end = System.nanoTime() + HOLD.toNanos();
            while (System.nanoTime() < end) {
                health.add(prober.get("/actuator/health", false));
                jobs.add(prober.get("/v1/jobs/" + job, true));
                Thread.sleep(200);
            }
            opened = clients.opened();
            dropped = clients.dropped();
        }

        String figures = "health " + SlowBodyClients.Summary.of(health) + "; job " + SlowBodyClients.Summary.of(jobs)
                + "; slow connections opened " + opened + ", dropped by the server " + dropped;
        System.out.println("slow clients: " + figures);
        assertThat(opened).as(figures).isGreaterThanOrEqualTo(CLIENTS);
        assertThat(health).as(figures).allSatisfy(p -> {
            assertThat(p.status()).isEqualTo(200);
            assertThat(p.millis()).isLessThan(ANSWER_BOUND_MS);
        });
        assertThat(jobs).as(figures).allSatisfy(p -> {
            assertThat(p.status()).isEqualTo(200);
            assertThat(p.millis()).isLessThan(ANSWER_BOUND_MS);
        });
        // A body that arrives a byte a second is let go of rather than read to its end.
        assertThat(dropped).as(figures).isGreaterThanOrEqualTo(CLIENTS);
    }

    @Test
    void aRefusedBodyThatTricklesIsDroppedAfterTheAnswer() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + ADMIN_KEY
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + (1L << 30) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            StringBuilder answer = new StringBuilder();
            long start = System.nanoTime();
            boolean closed = false;
            while (!closed && System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
                try {
                    out.write('x');
                    out.flush();
                    int b;
                    while ((b = in.read()) >= 0) {
                        answer.append((char) b);
                    }
                    closed = true;
                } catch (SocketTimeoutException e) {
                    // nothing more yet: send the next byte
                } catch (java.io.IOException e) {
                    closed = true;
                }
            }
            long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
            assertThat(answer.toString()).startsWith("HTTP/1.1 413").contains("UPLOAD_TOO_LARGE");
            // The answer first, then at most the drain time before the server lets go of the connection.
            assertThat(closed).as("still open after %d s", seconds).isTrue();
            assertThat(seconds).isLessThan(10);
        }
    }

    @Test
    void anUnauthenticatedUploadSentWholeStillGetsItsAnswerAndTheNextRequestWorks() {
        ApiClient anonymous = api.withKey(null);
        for (int size : new int[] {100, 1 << 20, 8 << 20}) {
            for (int i = 0; i < 10; i++) {
                assertProblem(anonymous.postBytes("/v1/models", new byte[size], "application/octet-stream"), 401,
                        "UNAUTHENTICATED");
            }
        }
    }
}
