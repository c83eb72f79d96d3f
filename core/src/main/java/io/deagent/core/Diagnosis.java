package io.deagent.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code diagnose --json} prints, the store keeps and the API serves ({@code de-agent/diagnosis@1}).
 */
public record Diagnosis(
        String schema,
        String category,
        String title,
        String summary,
        String layer,
        String transience,
        double confidence,
        Optional<RootCause> rootCause,
        Map<String, String> entities,
        List<EvidenceLine> evidence,
        Fix fix,
        String signature,
        Optional<Recurrence> recurrence,
        List<String> missingEvidence,
        String explainedBy,
        Optional<String> ruleId,
        LogStats log) {

    public static final String SCHEMA = "de-agent/diagnosis@1";

    /** The same diagnosis with how often its signature was seen, as the incident store counted it. */
    public Diagnosis withRecurrence(Recurrence r) {
        return new Diagnosis(
                schema,
                category,
                title,
                summary,
                layer,
                transience,
                confidence,
                rootCause,
                entities,
                evidence,
                fix,
                signature,
                Optional.of(r),
                missingEvidence,
                explainedBy,
                ruleId,
                log);
    }

    /** The root-cause exception with the line of its header. */
    public record RootCause(String exception, String message, int line) {}

    /** One proof line: where it came from, its 1-based number in the input, and its text. */
    public record EvidenceLine(String source, int line, String text) {}

    /** The remedy: a taxonomy fix class, a summary and concrete steps; a codemod when one applies. */
    public record Fix(
            @com.fasterxml.jackson.annotation.JsonProperty("class")
            String fixClass,

            String summary,
            List<String> steps,
            Optional<String> codemod) {}

    /** How often this signature was seen before. */
    public record Recurrence(int seen, Optional<String> firstSeen, Optional<String> lastFix) {}

    /** What was read. */
    public record LogStats(long lines, long bytes, String encoding, boolean truncated, boolean binary) {}
}
