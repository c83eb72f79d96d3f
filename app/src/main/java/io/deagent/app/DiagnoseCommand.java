package io.deagent.app;

import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogReader;
import io.deagent.core.rules.RuleCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "diagnose",
        mixinStandardHelpOptions = true,
        description = {
            "Diagnose a failure log (a file, or - for stdin) or a failure event.",
            "Prints a report for people by default, or one Diagnosis JSON object with --json."
        })
final class DiagnoseCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE|-", description = "the log to read; - reads stdin")
    String file;

    @Option(names = "--json", description = "print the Diagnosis as JSON")
    boolean json;

    @Option(
            names = "--event",
            paramLabel = "EVENT.json",
            description = "a failure event (CONTRACT.md) carrying the log inline (\"log\") or as a path (\"log_file\")")
    Path event;

    @Option(names = "--color", negatable = true, description = "colour the report (default: only on a terminal)")
    Boolean color;

    @Override
    public Integer call() throws IOException {
        // load the rules while the log is read: on a large log this hides the catalog's start-up entirely
        Thread warmUp = new Thread(RuleCatalog::builtIn, "rule-catalog");
        warmUp.setDaemon(true);
        warmUp.start();
        Optional<FailureEvent> failure = Optional.empty();
        if (event != null) {
            failure = Optional.of(FailureEvents.parse(readEvent(event), FailureEvent.Origin.CLI));
        }
        LogDocument doc = read(failure);
        Diagnosis d = LogDiagnoser.builtIn().diagnose(doc, failure, List.of());
        var out = spec.commandLine().getOut();
        if (json) {
            out.println(DiagnosisJson.write(d));
        } else {
            boolean colour = color != null ? color : stdoutIsTerminal() && System.getenv("NO_COLOR") == null;
            out.print(HumanReport.render(d, colour));
        }
        out.flush();
        return 0;
    }

    /** Java 21 has no Console.isTerminal(); newer JDKs return a Console even when piped, so ask it. */
    static boolean stdoutIsTerminal() {
        java.io.Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
        } catch (ReflectiveOperationException olderJdk) {
            return true;
        }
    }

    private static String readEvent(Path path) throws IOException {
        checkReadable(path, "event file");
        return Files.readString(path, StandardCharsets.UTF_8);
    }

    private LogDocument read(Optional<FailureEvent> failure) throws IOException {
        LogReader reader = new LogReader();
        if (file != null) {
            if (file.equals("-")) {
                return reader.read(System.in);
            }
            Path p = Path.of(file);
            checkReadable(p, "log file");
            return reader.read(p);
        }
        if (failure.isPresent()) {
            FailureEvent e = failure.get();
            if (e.log().isPresent()) {
                return reader.read(e.log().get());
            }
            if (e.logFile().isPresent()) {
                Path p = Path.of(e.logFile().get());
                if (!p.isAbsolute() && event.toAbsolutePath().getParent() != null) {
                    p = event.toAbsolutePath().getParent().resolve(p);
                }
                checkReadable(p, "log_file of the event");
                return reader.read(p);
            }
            // no log: the exception text is all the evidence there is
            return reader.read(e.exception().orElse(""));
        }
        if (!stdoutIsTerminal()) {
            try (InputStream in = System.in) {
                return reader.read(in);
            }
        }
        throw new UsageException("give a log file, '-' to read stdin, or --event EVENT.json"
                + " (e.g. de-agent diagnose examples/logs/spark-driver-oom.log)");
    }

    private static void checkReadable(Path p, String what) {
        if (!Files.exists(p)) {
            throw new UsageException("no such " + what + ": " + p + " (check the path)");
        }
        if (Files.isDirectory(p)) {
            throw new UsageException(what + " " + p + " is a directory; give the path of a file");
        }
        if (!Files.isReadable(p)) {
            throw new UsageException("cannot read " + what + " " + p + ": permission denied");
        }
    }
}
