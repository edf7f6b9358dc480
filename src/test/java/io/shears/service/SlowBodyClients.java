package io.shears.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Clients that send a request's line and headers, with a large Content-Length, and then its body one byte a second,
 * the way a slowloris-style client ties up a server that gives every request a thread. A client whose connection the
 * server closes opens a new one on the next tick, so the pressure stays at the given count for as long as it runs.
 * Loopback only, bounded in count and time by its caller. JDK only, so the bench script runs this file directly:
 *
 * <pre>
 * java src/test/java/io/shears/service/SlowBodyClients.java --port 8080 --key KEY --job ID
 *      [--clients 1000] [--seconds 60]
 * </pre>
 */
final class SlowBodyClients implements AutoCloseable {
    private static final Duration TICK = Duration.ofSeconds(1);
    private static final int CONNECT_TIMEOUT_MS = 2_000;
    private static final long DECLARED_BODY_BYTES = 1L << 30;

    private final InetSocketAddress server;
    private final byte[] head;
    private final Socket[] sockets;
    private final Thread ticker;
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong failedToConnect = new AtomicLong();
    private volatile boolean running = true;

    private SlowBodyClients(int port, String path, int count) {
        this.server = new InetSocketAddress("127.0.0.1", port);
        this.head = ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + DECLARED_BODY_BYTES
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        this.sockets = new Socket[count];
        this.ticker = new Thread(this::run, "slow-body-clients");
        this.ticker.setDaemon(true);
    }

    /** Starts {@code count} slow clients posting to {@code path} on the loopback port; the first tick opens them. */
    static SlowBodyClients start(int port, String path, int count) {
        SlowBodyClients clients = new SlowBodyClients(port, path, count);
        clients.ticker.start();
        return clients;
    }

    /**
     * Waits until every client has connected once (the first tick opens them all at once), so that what follows is
     * measured while all of them are held. False if that took longer than {@code timeout}.
     */
    boolean awaitAllConnected(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (opened.get() + failedToConnect.get() < sockets.length) {
            if (System.nanoTime() > end) {
                return false;
            }
            Thread.sleep(20);
        }
        return failedToConnect.get() == 0;
    }

    /** Connections opened so far, the first ones and those reopened after the server closed one. */
    long opened() {
        return opened.get();
    }

    /** Connections on which the server sent an answer before the body was complete. */
    long answered() {
        return answered.get();
    }

    /** Connections the server closed while their body was still coming. */
    long dropped() {
        return dropped.get();
    }

    long failedToConnect() {
        return failedToConnect.get();
    }

    /** Connections open right now. */
    int open() {
        int n = 0;
        for (Socket s : sockets) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }

    private void run() {
        byte[] one = {'x'};
        while (running) {
            long tickEnd = System.nanoTime() + TICK.toNanos();
            for (int i = 0; i < sockets.length && running; i++) {
                if (sockets[i] == null) {
                    sockets[i] = connect();
                    continue;
                }
                try {
                    InputStream in = sockets[i].getInputStream();
                    int available = in.available();
                    if (available > 0) {
                        answered.incrementAndGet();
                        in.skipNBytes(available);
                    }
                    OutputStream out = sockets[i].getOutputStream();
                    out.write(one);
                    out.flush();
                } catch (IOException e) {
                    dropped.incrementAndGet();
                    closeQuietly(sockets[i]);
                    sockets[i] = null;
                }
            }
            long rest = tickEnd - System.nanoTime();
            if (rest > 0) {
                try {
                    Thread.sleep(rest / 1_000_000, (int) (rest % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private Socket connect() {
        Socket socket = new Socket();
        try {
            socket.setSoLinger(true, 0);
            socket.connect(server, CONNECT_TIMEOUT_MS);
            socket.getOutputStream().write(head);
            socket.getOutputStream().flush();
            opened.incrementAndGet();
            return socket;
        } catch (IOException e) {
            failedToConnect.incrementAndGet();
            closeQuietly(socket);
            return null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        ticker.interrupt();
        ticker.join();
        for (int i = 0; i < sockets.length; i++) {
            closeQuietly(sockets[i]);
            sockets[i] = null;
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a socket the server already reset
            }
        }
    }

    /**
     * File descriptors this process may still open, or -1 where the JVM cannot tell. Every slow client needs one here
     * and, when the service runs in the same process, one more for the server's side of its connection.
     */
    static long freeFileDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean os) {
            return os.getMaxFileDescriptorCount() - os.getOpenFileDescriptorCount();
        }
        return -1;
    }

    /** One timed GET: the status (or -1 when it failed or timed out) and how long it took. */
    record Probe(int status, long millis) {
    }

    /** Timed GETs, as a load balancer's health check or an API client sends them. */
    static final class Prober {
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        private final String base;
        private final String key;

        Prober(int port, String key) {
            this.base = "http://127.0.0.1:" + port;
            this.key = key;
        }

        Probe get(String path, boolean authenticated) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(10)).GET();
            if (authenticated) {
                request.header("Authorization", "Bearer " + key);
            }
            long start = System.nanoTime();
            int status;
            try {
                status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            } catch (IOException e) {
                status = -1;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                status = -1;
            }
            return new Probe(status, (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** p50 and max of a list of probes, in milliseconds, how many took a second or more and how many failed. */
    record Summary(long p50, long max, int count, long overASecond, long failures) {
        static Summary of(List<Probe> probes) {
            long[] millis = probes.stream().mapToLong(Probe::millis).sorted().toArray();
            long slow = Arrays.stream(millis).filter(m -> m >= 1_000).count();
            long failures = probes.stream().filter(p -> p.status() != 200).count();
            return new Summary(millis.length == 0 ? 0 : millis[(millis.length - 1) / 2],
                    millis.length == 0 ? 0 : millis[millis.length - 1], millis.length, slow, failures);
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "p50 %d ms, max %d ms over %d probes, %d took 1 s or more, %d not 200",
                    p50, max, count, overASecond, failures);
        }
    }

    /** The bench: slow clients against a running service for a fixed time, with health and job probes throughout. */
    public static void main(String[] args) throws Exception {
        List<String> a = Arrays.asList(args);
        int port = Integer.parseInt(option(a, "--port", "8080"));
        String key = option(a, "--key", "");
        String job = option(a, "--job", "");
        int count = Integer.parseInt(option(a, "--clients", "1000"));
        int seconds = Integer.parseInt(option(a, "--seconds", "60"));
        long free = freeFileDescriptors();
        if (free >= 0 && free < count + 64) {
            System.err.printf("%d slow clients need %d file descriptors here; only %d are free (ulimit -n)%n",
                    count, count + 64, free);
            System.exit(2);
        }
        Prober prober = new Prober(port, key);
        List<Probe> health = new ArrayList<>();
        List<Probe> jobs = new ArrayList<>();
        long slowestHealthAt = 0;
        long slowestHealth = -1;
        try (SlowBodyClients clients = start(port, "/v1/models", count)) {
            if (!clients.awaitAllConnected(Duration.ofSeconds(30))) {
                System.err.println("not every slow client could connect within 30 s");
            }
            long begin = System.nanoTime();
            long end = begin + Duration.ofSeconds(seconds).toNanos();
            while (System.nanoTime() < end) {
                long at = System.nanoTime() - begin;
                Probe probe = prober.get("/actuator/health", false);
                health.add(probe);
                if (probe.millis() > slowestHealth) {
                    slowestHealth = probe.millis();
                    slowestHealthAt = at;
                }
                if (!job.isEmpty()) {
                    jobs.add(prober.get("/v1/jobs/" + job, true));
                }
                Thread.sleep(250);
            }
            System.out.printf("slow clients: %d, open at the end %d; connections opened %d, answered %d, "
                            + "dropped by the server %d, failed to connect %d%n", count, clients.open(),
                    clients.opened(), clients.answered(), clients.dropped(), clients.failedToConnect());
        }
        System.out.printf(Locale.ROOT, "GET /actuator/health: %s; the slowest was sent %.1f s into the hold%n",
                Summary.of(health), slowestHealthAt / 1e9);
        if (!job.isEmpty()) {
            System.out.println("GET /v1/jobs/{id}:    " + Summary.of(jobs));
        }
    }

    private static String option(List<String> args, String name, String fallback) {
        int i = args.indexOf(name);
        return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : fallback;
    }
}
