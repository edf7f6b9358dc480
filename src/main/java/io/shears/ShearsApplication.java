package io.shears;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Shears service: REST API, job queue and workers, as {@code shears.role} selects (see {@link Role}). */
@SpringBootApplication
@EnableScheduling
public class ShearsApplication {
    public static ConfigurableApplicationContext start(String... args) {
        return SpringApplication.run(ShearsApplication.class, args);
    }

    public static void main(String[] args) {
        start(args);
    }
}
