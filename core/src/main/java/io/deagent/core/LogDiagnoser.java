package io.deagent.core;

import io.deagent.core.log.LogDocument;
import io.deagent.core.log.LogLine;
import io.deagent.core.log.ThrownException;
import io.deagent.core.rules.Classification;
import io.deagent.core.rules.Classifier;
import io.deagent.core.rules.Fact;
import io.deagent.core.rules.Rule;
import io.deagent.core.rules.RuleCatalog;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Turns what the reader found in a log, and the event when there is one, into a {@link Diagnosis}. */
public final class LogDiagnoser {

    private static final int MAX_EVIDENCE = 8;
    private static final int MAX_TEXT = 500;

    private final Classifier classifier;

    public LogDiagnoser(RuleCatalog catalog) {
        this.classifier = new Classifier(catalog);
    }

    public static LogDiagnoser builtIn() {
        return new LogDiagnoser(RuleCatalog.builtIn());
    }

    public Diagnosis diagnose(LogDocument doc, Optional<FailureEvent> event, List<String> missingEvidence) {
        return diagnose(doc, event, missingEvidence, List.of());
    }

    /** The same, with the facts sources measured (Spark metrics, dbt results…) for the rules to use. */
    public Diagnosis diagnose(
            LogDocument doc, Optional<FailureEvent> event, List<String> missingEvidence, List<Fact> facts) {
        Classification c = classifier.classify(doc, facts);
        Map<String, String> entities = new LinkedHashMap<>();
        event.ifPresent(e -> {
            entities.put("dag_id", e.dagId());
            entities.put("task_id", e.taskId());
            e.runId().ifPresent(v -> entities.put("run_id", v));
            e.tryNumber().ifPresent(v -> entities.put("try_number", String.valueOf(v)));
        });
        c.entities().forEach((k, v) -> entities.putIfAbsent(k, Redactor.redact(v)));
        // the DAG's file as Airflow reports it: where a fix of the DAG itself would go
        facts.stream()
                .filter(f -> f.key().equals("airflow.dag.fileloc") && !f.value().isBlank())
                .findFirst()
                .ifPresent(f -> entities.putIfAbsent("dag_file", f.value()));

        Optional<ThrownException> root = c.rootCause();
        String title;
        String summary;
        String layer;
        String transience;
        Diagnosis.Fix fix;
        if (c.rule().isPresent()) {
            RuleCatalog.LoadedRule loaded = c.rule().get();
            Rule rule = loaded.rule();
            title = Templates.render(rule.title(), entities) + where(entities);
            summary = Templates.render(rule.summary(), entities) + hint(doc, c.proof());
            layer = loaded.layer();
            transience = rule.isTransient() ? "transient" : "permanent";
            fix = new Diagnosis.Fix(
                    rule.fix().fixClass(),
                    Templates.render(rule.fix().summary(), entities),
                    rule.fix().steps().stream()
                            .map(s -> Templates.render(s, entities))
                            .toList(),
                    Optional.empty());
        } else {
            title = unknownTitle(doc, root) + where(entities);
            summary = doc.isEmpty()
                    ? "The log is empty, so there is nothing to diagnose yet."
                    : "No rule in the catalog matches this log, so de-agent does not guess a cause.";
            layer = "unknown";
            transience = "unknown";
            fix = new Diagnosis.Fix(
                    Taxonomy.GATHER_MORE_EVIDENCE,
                    "Collect more of the failure before acting.",
                    gatherSteps(doc, root, entities),
                    Optional.empty());
        }

        List<Diagnosis.EvidenceLine> evidence = evidence(doc, c);
        String signatureText = root.map(ThrownException::message)
                .orElse(c.proof().isEmpty() ? "" : c.proof().get(0).message());
        String signature =
                Signature.of(c.category(), root.map(ThrownException::className).orElse(""), signatureText);
        Optional<Diagnosis.RootCause> rootCause = root.map(r -> new Diagnosis.RootCause(
                r.className(),
                Redactor.redact(trim(r.message().lines().findFirst().orElse(""))),
                r.line()));
        List<String> missing = new ArrayList<>(missingEvidence);
        missing.addAll(doc.notes());
        if (doc.droppedLines() > 0) {
            missing.add("log: " + doc.droppedLines() + " lines from the middle of a very large log were not kept");
        }
        return new Diagnosis(
                Diagnosis.SCHEMA,
                c.category(),
                Redactor.redact(title),
                Redactor.redact(summary),
                layer,
                transience,
                c.confidence(),
                rootCause,
                entities,
                evidence,
                fix,
                signature,
                Optional.empty(),
                missing,
                "rules",
                c.rule().map(r -> r.rule().id()),
                new Diagnosis.LogStats(
                        doc.totalLines(), doc.bytes(), doc.encoding(), doc.droppedLines() > 0, doc.binary()));
    }

    private static final java.util.regex.Pattern HINT = java.util.regex.Pattern.compile("^\\s*(?:HINT|Hint):\\s+(.+)$");

    /** A database's own hint next to the proof ("Perhaps you meant to reference the column ..."). */
    private static String hint(LogDocument doc, List<LogLine> proof) {
        for (LogLine p : proof) {
            for (int n = p.number(); n <= p.number() + 6; n++) {
                Optional<LogLine> l = doc.line(n);
                if (l.isEmpty()) {
                    continue;
                }
                java.util.regex.Matcher m = HINT.matcher(l.get().message());
                if (m.find()) {
                    return " The database suggests: " + trim(m.group(1).strip());
                }
            }
        }
        return "";
    }

    private static String where(Map<String, String> entities) {
        if (entities.containsKey("dag_id") && entities.containsKey("task_id")) {
            return " in " + entities.get("dag_id") + "." + entities.get("task_id");
        }
        return "";
    }

    private static String unknownTitle(LogDocument doc, Optional<ThrownException> root) {
        if (doc.isEmpty()) {
            return "Empty log: nothing to diagnose";
        }
        if (doc.binary()) {
            return "The input looks binary, not like a text log";
        }
        return root.map(r -> "Unrecognised failure: " + trim(r.headline())).orElse("No known failure cause in the log");
    }

    private static List<String> gatherSteps(
            LogDocument doc, Optional<ThrownException> root, Map<String, String> entities) {
        List<String> steps = new ArrayList<>();
        if (doc.isEmpty()) {
            steps.add("Pass the task log itself: in the Airflow UI open the failed try's Logs tab, or read it from "
                    + "the remote log store (S3, CloudWatch) of the run.");
            return steps;
        }
        steps.add("Read the full task log of the failed try (this one has " + doc.totalLines()
                + (doc.totalLines() == 1 ? " line" : " lines")
                + "): the cause is often printed before the last error, or in the previous try.");
        if (entities.containsKey("application_id")) {
            steps.add("Open Spark application " + entities.get("application_id")
                    + " in the Spark UI or History Server and read the failed stage's task errors.");
        } else {
            steps.add("If the task ran Spark, dbt or SQL, read that tool's own log or the query history for the run:"
                    + " the task log may only show the wrapper.");
        }
        root.ifPresent(r -> steps.add("Search for the last exception, " + r.simpleName()
                + ", in the code and its dependencies to see what raises it."));
        steps.add("Check the upstream tasks and the worker or pod of this run for failures or evictions.");
        return steps;
    }

    private static List<Diagnosis.EvidenceLine> evidence(LogDocument doc, Classification c) {
        List<Diagnosis.EvidenceLine> out = new ArrayList<>();
        List<LogLine> proof = new ArrayList<>(c.proof());
        c.rootCause().flatMap(r -> doc.line(r.line())).ifPresent(l -> {
            if (!proof.contains(l)) {
                proof.add(l);
            }
        });
        proof.sort((a, b) -> Integer.compare(a.number(), b.number()));
        // the last proof lines are closest to the failure: keep those when there are too many
        List<LogLine> kept =
                proof.size() > MAX_EVIDENCE ? proof.subList(proof.size() - MAX_EVIDENCE, proof.size()) : proof;
        for (LogLine l : kept) {
            out.add(new Diagnosis.EvidenceLine("log", l.number(), Redactor.redact(trim(l.text()))));
        }
        // measurements that decided or confirmed the verdict; line 0: they are not lines of the log
        for (Fact f : c.facts()) {
            out.add(new Diagnosis.EvidenceLine(f.source(), 0, Redactor.redact(trim(f.text()))));
        }
        return out;
    }

    private static String trim(String s) {
        return s.length() <= MAX_TEXT ? s : s.substring(0, MAX_TEXT) + "…";
    }
}
