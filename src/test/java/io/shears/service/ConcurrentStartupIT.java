package io.shears.service;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scale-out deployment's first start: an {@code api} and two {@code worker} processes started at the same moment
 * on an empty PostgreSQL, as Kubernetes starts a fresh release. Each of them creates the schema (Flyway's and
 * JobRunr's) and registers the bootstrap key if it is missing; all three must come up, with one key row.
 */
class ConcurrentStartupIT {
    static final Duration LONG = Duration.ofSeconds(300);
    static final Path LOGS = Path.of("target/concurrent-startup");
    /** Each round is a fresh database; the race showed within two to four rounds before it was fixed. */
    static final int ROUNDS = Integer.getInteger("shears.it.startup-rounds", 2);

    static EmbeddedPostgres postgres;

    @BeforeAll
    static void database() throws Exception {
        postgres = EmbeddedPostgres.builder().start();
    }

    @AfterAll
    static void stopDatabase() throws Exception {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void threeProcessesStartingTogetherOnAnEmptyDatabaseAllComeUpWithOneBootstrapKey() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            String database = "fresh" + round;
            try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
                s.execute("create database " + database);
            }
            List<ShearsProcess> processes = new ArrayList<>();
            try {
                for (String role : List.of("api", "worker", "worker")) {
                    String name = database + "-" + role + "-" + processes.size();
                    processes.add(ShearsProcess.start(name, LOGS, java.util.Map.of(),
                            "--spring.datasource.url=" + postgres.getJdbcUrl("postgres", database),
                            "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                            "--shears.security.bootstrap-key=" + ServiceTestSupport.ADMIN_KEY,
                            "--shears.engine.device=cpu", "--shears.engine.warm-up-rounds=0",
                            "--shears.role=" + role,
                            "--shears.data-dir=" + Files.createTempDirectory("shears-" + name)));
                }
                for (ShearsProcess p : processes) {
                    p.awaitReady(LONG);
                }
                for (ShearsProcess p : processes) {
                    if (p.name().contains("api")) {
                        assertThat(p.client(ServiceTestSupport.ADMIN_KEY).get("/v1/models").status())
                                .as("the bootstrap key authenticates").isEqualTo(200);
                    }
                }
            } finally {
                processes.forEach(ShearsProcess::close);
            }
            try (Connection c = postgres.getDatabase("postgres", database).getConnection();
                 Statement s = c.createStatement();
                 ResultSet keys = s.executeQuery("select count(*) from api_keys")) {
                keys.next();
                assertThat(keys.getInt(1)).as("bootstrap key rows").isEqualTo(1);
            }
        }
    }
}
