package io.shears.cli;

import io.shears.engine.startup.EngineInfo;
import io.shears.engine.startup.EngineSettings;
import io.shears.engine.startup.EngineSetup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code shears engine}: starts DJL's PyTorch engine and prints what it runs with. It extracts the native library
 * into the cache directory, so an image build can run it once and start later with no network.
 */
@Command(name = "engine", mixinStandardHelpOptions = true,
        description = {"Start the training engine (PyTorch through DJL) and print its build, cache directory and "
                + "threads as JSON.", "Settings: -Dshears.engine.cache-dir, -Dshears.engine.intraop-threads, "
                + "-Dshears.engine.interop-threads."})
final class EngineCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        EngineInfo info = EngineSetup.start(EngineSettings.fromSystemProperties());
        spec.commandLine().getOut().println(JsonOutput.MAPPER.writeValueAsString(info));
        return ExitCodes.OK;
    }
}
