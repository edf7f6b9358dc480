package io.shears.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code java -jar target/shears.jar} as a separate operating-system process, as a deployment runs it. */
final class ShearsProcess implements AutoCloseable {
    static final Path JAR = Path.of("target/shears.jar");

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;

    private ShearsProcess(String name, int port, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    static ShearsProcess start(String name, Path logDir, Map<String, String> environment, String... arguments) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-Xmx768m", "-jar",
                JAR.toAbsolutePath().toString(), "--server.port=" + port, "--shears.worker-name=" + name,
                "--spring.main.banner-mode=off"));
        command.addAll(List.of(arguments));
        try {
            Files.createDirectories(logDir);
            Path log = logDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().putAll(environment);
            return new ShearsProcess(name, port, builder.start(), log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String name() {
        return name;
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean alive() {
        return process.isAlive();
    }

    ApiClient client(String key) {
        return new ApiClient(port, key);
    }

    /** Waits until the readiness probe answers 200 (database up, and on workers the engine loaded). */
    void awaitReady(Duration timeout) {
        ApiClient probe = new ApiClient(port, null);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (probe.get("/actuator/health/readiness").status() == 200) {
                    return;
                }
            } catch (UncheckedIOException notListeningYet) {
                // Still starting.
            }
            sleep(250);
        }
        throw new AssertionError(name + " not ready in " + timeout + "; see " + log);
    }

    /** SIGKILL: the process gets no chance to clean up, as when a node dies. */
    void kill() {
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(30));
    }

    /** SIGTERM, as Kubernetes stops a pod; true when the process exited within {@code grace}. */
    boolean terminate(Duration grace) {
        process.destroy();
        return waitFor(grace);
    }

    private boolean waitFor(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            if (!waitFor(Duration.ofSeconds(30))) {
                kill();
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
