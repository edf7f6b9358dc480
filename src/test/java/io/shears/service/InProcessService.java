package io.shears.service;

import io.shears.ShearsApplication;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One Shears application started the way {@code java -jar} starts it, on a random port, for tests that stop and
 * start the service or run several roles against one database.
 */
final class InProcessService implements AutoCloseable {
    private final ConfigurableApplicationContext context;

    private InProcessService(ConfigurableApplicationContext context) {
        this.context = context;
    }

    static InProcessService start(Path dataDir, String... extraArguments) {
        List<String> args = new ArrayList<>(List.of("--server.port=0", "--shears.data-dir=" + dataDir,
                "--shears.security.bootstrap-key=" + ServiceTestSupport.ADMIN_KEY, "--shears.jobs.latency-runs=2",
                "--shears.jobs.latency-warmup=1", "--shears.engine.warm-up-rounds=0",
                "--spring.main.banner-mode=off"));
        args.addAll(List.of(extraArguments));
        return new InProcessService(new SpringApplicationBuilder(ShearsApplication.class)
                .run(args.toArray(String[]::new)));
    }

    int port() {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    ApiClient admin() {
        return new ApiClient(port(), ServiceTestSupport.ADMIN_KEY);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
