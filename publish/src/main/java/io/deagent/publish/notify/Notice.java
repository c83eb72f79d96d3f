package io.deagent.publish.notify;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.Redactor;
import java.util.Locale;
import java.util.Optional;

/**
 * What a notification tells: the failure, its diagnosis, the fix (a pull request link or why there is none)
 * and where to read more. Every text it gives is redacted.
 */
public record Notice(
        long incidentId,
        FailureEvent event,
        Diagnosis diagnosis,
        Optional<String> fixSummary,
        Optional<String> pullRequestUrl,
        Optional<String> incidentLink) {

    public String subject() {
        return Redactor.redact("[de-agent] " + event.dagId() + "." + event.taskId() + " failed: " + diagnosis.title());
    }

    /** The plain-text body of an e-mail or a ticket. */
    public String text() {
        Diagnosis d = diagnosis;
        StringBuilder b = new StringBuilder();
        b.append("What failed: ")
                .append(event.dagId())
                .append(" / ")
                .append(event.taskId())
                .append(event.runId().map(r -> ", run " + r).orElse(""))
                .append(event.tryNumber().map(t -> ", try " + t).orElse(""))
                .append('\n');
        event.logUrl().ifPresent(u -> b.append("Log: ").append(u).append('\n'));
        b.append('\n')
                .append("Why: ")
                .append(d.title())
                .append('\n')
                .append("Category: ")
                .append(d.category())
                .append(" (confidence ")
                .append(String.format(Locale.ROOT, "%.2f", d.confidence()))
                .append(", explained by ")
                .append(d.explainedBy())
                .append(")\n\n")
                .append(d.summary())
                .append("\n\n");
        if (!d.evidence().isEmpty()) {
            b.append("Proof lines:\n");
            d.evidence().forEach(l -> b.append("  ")
                    .append(l.source())
                    .append(" L")
                    .append(l.line())
                    .append(": ")
                    .append(l.text())
                    .append('\n'));
            b.append('\n');
        }
        b.append("What to do:\n");
        int i = 1;
        for (String s : d.fix().steps()) {
            b.append("  ").append(i++).append(". ").append(s).append('\n');
        }
        b.append('\n');
        pullRequestUrl.ifPresent(u -> b.append("Pull request: ").append(u).append('\n'));
        fixSummary.ifPresent(s -> b.append("Fix: ").append(s).append('\n'));
        d.recurrence()
                .ifPresent(r -> b.append(
                        r.seen() <= 1
                                ? "New: the first time de-agent has seen this failure here.\n"
                                : "Seen " + r.seen() + " times"
                                        + r.firstSeen().map(f -> " since " + f).orElse("") + ".\n"));
        b.append("Signature: ").append(d.signature()).append('\n');
        b.append("Incident: ").append(incidentLink.orElse("#" + incidentId)).append('\n');
        return Redactor.redact(b.toString());
    }

    /** The dedupe key of an alert about this failure on this task: one alert per task and failure kind. */
    public String alertKey() {
        String key = "de-agent:" + event.dagId() + "." + event.taskId() + ":" + diagnosis.signature();
        return key.length() > 255 ? key.substring(0, 255) : key;
    }
}
