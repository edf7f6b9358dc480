package io.shears;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The Shears service: REST API, job queue and workers, as {@code shears.role} selects (see {@link Role}). */
// API keys are the only credentials; Spring Boot's generated in-memory user and password would be a second, unused one.
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@EnableScheduling
public class ShearsApplication {
    public static ConfigurableApplicationContext start(String... args) {
        return SpringApplication.run(ShearsApplication.class, args);
    }

    public static void main(String[] args) {
        start(args);
    }
}
