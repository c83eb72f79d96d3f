package io.deagent.core.investigate;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogReader;
import io.deagent.core.rules.Fact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The one pipeline every door calls: collect evidence, read the log, classify. The CLI, the server and the
 * Lambda worker differ only in how they build the {@link FailureEvent} and what they do with the result.
 */
public final class Investigator {

    /** Whether the event's {@code log_file} may be read: only for the CLI, never for a request from outside. */
    public enum LogFiles {
        READ,
        IGNORE
    }

    private final LogDiagnoser diagnoser;
    private final EvidenceCollector collector;
    private final LogReader reader;
    private final Clock clock;
    private final Explainer explainer;
    private final java.time.Duration deadline;

    public Investigator(LogDiagnoser diagnoser, EvidenceCollector collector, LogReader reader, Clock clock) {
        this(diagnoser, collector, reader, clock, Explainer.RULES, java.time.Duration.ofSeconds(25));
    }

    /** With an explainer, given what is left of {@code deadline} after the evidence is in. */
    public Investigator(
            LogDiagnoser diagnoser,
            EvidenceCollector collector,
            LogReader reader,
            Clock clock,
            Explainer explainer,
            java.time.Duration deadline) {
        this.diagnoser = diagnoser;
        this.collector = collector;
        this.reader = reader;
        this.clock = clock;
        this.explainer = explainer;
        this.deadline = deadline;
    }

    /** What one investigation produced, and what it cost. */
    public record Investigation(
            Diagnosis diagnosis,
            List<Evidence> evidence,
            Duration elapsed,
            String logSource,
            Explainer.Explanation explanation) {

        public List<String> sourcesCalled() {
            return evidence.stream().map(Evidence::sourceId).toList();
        }
    }

    public Investigation investigate(FailureEvent event, LogFiles logFiles, Optional<Path> baseDir) {
        Instant start = clock.instant();
        List<Evidence> evidence = collector.collect(event);
        LogInput input = logOf(event, evidence, logFiles, baseDir);
        List<String> missing = evidence.stream()
                .filter(Evidence::missing)
                .map(Evidence::missingLine)
                .toList();
        List<Fact> facts = evidence.stream()
                .filter(e -> e.status() == Evidence.Status.OK)
                .flatMap(e -> e.facts().entrySet().stream().map(f -> new Fact(e.sourceId(), f.getKey(), f.getValue())))
                .toList();
        Diagnosis rules = diagnoser.diagnose(input.doc(), Optional.of(event), missing, facts);
        Explainer.Explanation explained = explainSafely(
                new Explainer.Request(event, rules, input.doc(), facts),
                new Budget(start.plus(deadline), 1 << 20, clock));
        return new Investigation(
                explained.diagnosis(), evidence, Duration.between(start, clock.instant()), input.source(), explained);
    }

    /** An explainer that throws anyway still leaves the rules' diagnosis in place. */
    private Explainer.Explanation explainSafely(Explainer.Request request, Budget budget) {
        try {
            return explainer.explain(request, budget);
        } catch (RuntimeException e) {
            return Explainer.Explanation.rules(
                    request.rules(), Optional.of(e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
    }

    private record LogInput(LogDocument doc, String source) {}

    private LogInput logOf(FailureEvent e, List<Evidence> evidence, LogFiles logFiles, Optional<Path> baseDir) {
        if (e.log().isPresent() && !e.log().get().isBlank()) {
            return new LogInput(reader.read(e.log().get()), "event");
        }
        if (logFiles == LogFiles.READ && e.logFile().isPresent()) {
            Path p = Path.of(e.logFile().get());
            if (!p.isAbsolute() && baseDir.isPresent()) {
                p = baseDir.get().resolve(p);
            }
            try {
                return new LogInput(reader.read(p), "log_file");
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        for (Evidence ev : evidence) {
            if (ev.status() == Evidence.Status.OK && ev.logText().isPresent()) {
                return new LogInput(reader.read(ev.logText().get()), ev.sourceId());
            }
        }
        // no log anywhere: the exception text of the event is all there is
        return new LogInput(reader.read(e.exception().orElse("")), "exception");
    }
}
