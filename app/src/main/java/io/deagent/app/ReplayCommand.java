package io.deagent.app;

import io.deagent.app.serve.Dispatcher;
import io.deagent.app.serve.Service;
import io.deagent.app.serve.ServiceMetrics;
import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.investigate.Investigator;
import io.deagent.runtime.Config;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Run the whole pipeline for one recorded failure event, as the server would.",
            "Offline by default: nothing is recorded or sent, and recurrence is read from the incident store",
            "when it exists. --post records the incident in the store and queues its replies."
        })
final class ReplayCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "EVENT.json", description = "a failure event (CONTRACT.md)")
    Path event;

    @Option(names = "--json", description = "print the Diagnosis as JSON")
    boolean json;

    @Option(names = "--post", description = "record the incident in the store and send its replies")
    boolean post;

    @Option(names = "--config", paramLabel = "FILE", description = "YAML settings (default ./de-agent.yaml if present)")
    Path config;

    @Option(names = "--color", negatable = true, description = "colour the report (default: only on a terminal)")
    Boolean color;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(event)) {
            throw new UsageException("no such event file: " + event + " (check the path)");
        }
        Config cfg = Config.load(Optional.ofNullable(config));
        String text = Files.readString(event, StandardCharsets.UTF_8);
        FailureEvent failure = FailureEvents.parse(text, FailureEvent.Origin.CLI);
        Clock clock = Clock.systemUTC();
        Optional<Path> base = Optional.ofNullable(event.toAbsolutePath().getParent());
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Diagnosis d;
        if (post) {
            d = record(cfg, failure, text, base, clock, err);
        } else {
            Investigator.Investigation inv = io.deagent.runtime.Investigators.investigator(cfg, clock)
                    .investigate(failure, Investigator.LogFiles.READ, base);
            d = withStoredRecurrence(cfg, inv.diagnosis(), failure);
            err.println("de-agent: offline replay: nothing recorded or sent (use --post to record and reply)");
        }
        if (json) {
            out.println(DiagnosisJson.write(d));
        } else {
            boolean colour =
                    color != null ? color : DiagnoseCommand.stdoutIsTerminal() && System.getenv("NO_COLOR") == null;
            out.print(HumanReport.render(d, colour));
        }
        out.flush();
        return 0;
    }

    /** Reads how often the store has seen this signature, without counting this replay. */
    private static Diagnosis withStoredRecurrence(Config cfg, Diagnosis d, FailureEvent e) {
        String url = cfg.get("DE_AGENT_DB_URL", Database.DEFAULT_URL);
        if (url.equals(Database.DEFAULT_URL) && !Files.exists(Path.of(".de-agent", "incidents.mv.db"))) {
            return d;
        }
        try (Database db = Service.openDatabase(cfg, 1)) {
            return new IncidentStore(db)
                    .recurrence(d.signature(), e.dagId(), e.taskId())
                    .map(d::withRecurrence)
                    .orElse(d);
        }
    }

    /**
     * The durable path of the server, in this process: record the event (deduplicated), claim it, and
     * investigate it with the same dispatcher code. The log file of the event is inlined first, because
     * the pipeline never reads paths named by an event.
     */
    private static Diagnosis record(
            Config cfg, FailureEvent failure, String text, Optional<Path> base, Clock clock, PrintWriter err)
            throws IOException {
        String eventJson = Events.withInlineLog(text, failure, base);
        FailureEvent stored = FailureEvents.parse(eventJson, FailureEvent.Origin.CLI);
        Dispatcher.Settings settings = Service.dispatcherSettings(cfg);
        try (Database db = Service.openDatabase(cfg, 2)) {
            IncidentStore store = new IncidentStore(db);
            Investigator investigator = io.deagent.runtime.Investigators.investigator(
                    cfg, clock, new io.deagent.app.store.StoredExplanations(db, clock));
            IncidentStore.Accepted accepted = store.accept(stored, eventJson, clock.instant());
            if (accepted.duplicate()) {
                err.println("de-agent: this failure is already incident " + accepted.id() + " (" + accepted.status()
                        + "); it is not recorded again");
                Diagnosis fresh = investigator
                        .investigate(stored, Investigator.LogFiles.IGNORE, Optional.empty())
                        .diagnosis();
                return store.recurrence(fresh.signature(), stored.dagId(), stored.taskId())
                        .map(fresh::withRecurrence)
                        .orElse(fresh);
            }
            String worker = "replay-" + ProcessHandle.current().pid();
            IncidentStore.Claim claim = store.claim(
                            accepted.id(), worker, clock.instant(), settings.lease(), settings.maxAttempts())
                    .orElseThrow(() -> new UsageException("incident " + accepted.id()
                            + " was taken by a running server; see /api/incidents/" + accepted.id()));
            Dispatcher dispatcher =
                    new Dispatcher(store, investigator, new ServiceMetrics(store::queueDepth), clock, settings, worker);
            Diagnosis d = dispatcher
                    .process(claim)
                    .orElseThrow(() -> new UsageException(
                            "the investigation of incident " + accepted.id() + " failed; see the store for the error"));
            err.println("de-agent: recorded as incident " + accepted.id() + " in " + db.displayUrl());
            return d;
        }
    }
}
