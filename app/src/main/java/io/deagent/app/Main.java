package io.deagent.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The de-agent command line. Each subcommand is a thin door over the core. */
@Command(
        name = "de-agent",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "On-call data-engineering agent: reads a failed job's log and says what broke, why, and what to do.",
        subcommands = {
            DiagnoseCommand.class,
            ReplayCommand.class,
            FixCommand.class,
            ServeCommand.class,
            DoctorCommand.class,
            EvalCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns the exit code: 0 success, 1 an integration failed, 2 bad usage or input. */
    public static int run(String... args) {
        CommandLine cli = commandLine();
        try {
            return cli.execute(args);
        } catch (Error e) {
            // errors escape picocli's handler (e.g. a broken rule file found while loading the catalog)
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("de-agent: internal error: " + cause.getMessage()
                    + " (please report it; rerun with DE_AGENT_DEBUG=1 for details)");
            if (System.getenv("DE_AGENT_DEBUG") != null) {
                e.printStackTrace();
            }
            return 1;
        }
    }

    /** The configured command line: error boundary and usage errors that exit 2. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new ErrorBoundary());
        cli.setParameterExceptionHandler((ex, a) -> {
            ex.getCommandLine().getErr().println("de-agent: " + ex.getMessage());
            ex.getCommandLine()
                    .getErr()
                    .println("Run 'de-agent " + ex.getCommandLine().getCommandName() + " --help' for usage.");
            return 2;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"de-agent " + (v == null ? "dev" : v)};
        }
    }
}
