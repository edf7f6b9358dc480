package io.shears.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code shears} command: the service ({@code serve}), model inspection and pruning without a server, and
 * {@code submit}, which runs a job on a remote service.
 */
@Command(name = "shears", mixinStandardHelpOptions = true, version = "shears 0.1.0",
        description = "Zero-shot structured pruning of ONNX models to a compute budget.",
        subcommands = {ServeCommand.class, InspectCommand.class, PruneCommand.class, LatencyCommand.class,
                EngineCommand.class, SubmitCommand.class})
public final class ShearsCli {
    /** The code a usage error names in its one-line message: {@code error: USAGE: ...}. */
    static final String USAGE_CODE = "USAGE";

    /** With no arguments, or with Spring options only ({@code --server.port=...}), starts the service. */
    public static void main(String[] args) {
        if (args.length == 0 || args[0].startsWith("--") && args[0].contains("=")) {
            String[] serve = new String[args.length + 1];
            serve[0] = "serve";
            System.arraycopy(args, 0, serve, 1, args.length);
            args = serve;
        }
        System.exit(run(args));
    }

    /** Runs the command line on the process's stdout and stderr and returns its exit code instead of exiting. */
    public static int run(String... args) {
        return execute(new CommandLine(new ShearsCli()), args);
    }

    /**
     * Runs the command line with its output going to {@code out} and its errors to {@code err} (both are flushed
     * before returning), and returns the exit code (see {@link ExitCodes}) instead of exiting.
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new ShearsCli());
        cli.setOut(out);
        cli.setErr(err);
        try {
            return execute(cli, args);
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int execute(CommandLine cli, String... args) {
        cli.setExecutionExceptionHandler(new FailureHandler());
        cli.setParameterExceptionHandler((ex, a) -> {
            CommandLine failed = ex.getCommandLine();
            failed.getErr().println("error: " + USAGE_CODE + ": " + usageMessage(ex.getMessage())
                    + " (see '" + failed.getCommandSpec().qualifiedName() + " --help')");
            return ExitCodes.USAGE;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // The model and everything derived from it are unreachable once the stack has unwound.
            cli.getErr().println("error: OUT_OF_MEMORY: the Java heap is too small for this model (" + e.getMessage()
                    + "); raise -Xmx, e.g. JAVA_OPTS=-Xmx2g bin/shears ...");
            cli.getErr().flush();
            return ExitCodes.INTERNAL_ERROR;
        } catch (StackOverflowError e) {
            cli.getErr().println("error: INTERNAL: stack overflow; raise -Xss, e.g. JAVA_OPTS=-Xss16m bin/shears ...");
            cli.getErr().flush();
            return ExitCodes.INTERNAL_ERROR;
        }
    }

    /** picocli's message on one line, without its own "Error: " prefix. */
    private static String usageMessage(String message) {
        String m = message == null ? "invalid arguments" : message.strip();
        if (m.regionMatches(true, 0, "Error: ", 0, 7)) {
            m = m.substring(7);
        }
        return m.replaceAll("\\s*\\R\\s*", " ");
    }
}
