package io.shears.service;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.nio.file.Path;

/** The service suite on the embedded default: an H2 file database and artifacts under the data directory. */
class H2ServiceTest extends ServiceSuite {
    static final Path DATA = dataDir("h2");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        dataDirProperty(registry, DATA);
    }
}
