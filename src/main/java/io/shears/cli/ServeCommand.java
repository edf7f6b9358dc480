package io.shears.cli;

import io.shears.ShearsApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code shears serve}: the service, on its embedded defaults unless configured otherwise. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Starts the Shears service (REST API on :8080 and a worker, as shears.role selects).",
                "Spring Boot options pass through, e.g. --server.port=9090 --shears.role=api."})
final class ServeCommand implements Callable<Integer> {
    @Unmatched
    List<String> springArguments = new ArrayList<>();

    @Override
    public Integer call() throws InterruptedException {
        ConfigurableApplicationContext context;
        try {
            context = ShearsApplication.start(springArguments.toArray(String[]::new));
        } catch (RuntimeException failure) {
            throw new ServiceStartException(failure);
        }
        CountDownLatch closed = new CountDownLatch(1);
        context.addApplicationListener(e -> {
            if (e instanceof ContextClosedEvent) {
                closed.countDown();
            }
        });
        if (context.isActive()) {
            closed.await();
        }
        return ExitCodes.OK;
    }
}
