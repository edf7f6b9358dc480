package io.shears.service;

import io.shears.ShearsApplication;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

/**
 * The service on H2, for the tests of what it documents and renders ({@link OpenApiSpecTest},
 * {@link BrowserCheckTest}); they share this one Spring context. It is not {@link H2ServiceTest}'s context because
 * extending that class would run the whole {@link ServiceSuite} again.
 */
@SpringBootTest(classes = ShearsApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {
                "shears.security.bootstrap-key=" + ServiceSuite.ADMIN_KEY,
                "shears.jobs.latency-runs=2",
                "shears.jobs.latency-warmup=1",
        })
abstract class ServiceDocsContext {
    static final Path DATA = ServiceSuite.dataDir("docs");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        ServiceSuite.dataDirProperty(registry, DATA);
    }

    @LocalServerPort
    int port;

    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port, ServiceSuite.ADMIN_KEY);
    }
}
