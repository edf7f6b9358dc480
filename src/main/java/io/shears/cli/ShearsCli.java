package io.shears.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code shears} command: model inspection and pruning without a server. */
@Command(name = "shears", mixinStandardHelpOptions = true, version = "shears 0.1.0",
        description = "Zero-shot structured pruning of ONNX models to a compute budget.",
        subcommands = {InspectCommand.class, PruneCommand.class})
public final class ShearsCli {
    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (see {@link ExitCodes}) instead of exiting. */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new ShearsCli());
        cli.setExecutionExceptionHandler(new FailureHandler());
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("error: " + ex.getMessage());
            ex.getCommandLine().getErr().println("usage: " + ex.getCommandLine().getCommandSpec().qualifiedName()
                    + " --help");
            return ExitCodes.USAGE;
        });
        return cli.execute(args);
    }
}
