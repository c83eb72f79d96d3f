package io.deagent.core.investigate;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What one source brought back. A source that failed is still evidence: its status and error say what was
 * asked and what went wrong, so the report can name what is missing.
 */
public record Evidence(
        String sourceId,
        Status status,
        Optional<String> logText,
        Map<String, String> facts,
        Optional<String> query,
        Optional<String> error,
        Duration elapsed,
        Optional<String> link) {

    /** How a source call ended. */
    public enum Status {
        OK,
        NO_DATA,
        ERROR,
        TIMED_OUT,
        SKIPPED
    }

    public static Evidence ok(String sourceId, String logText, Duration elapsed) {
        return new Evidence(
                sourceId,
                Status.OK,
                Optional.of(logText),
                Map.of(),
                Optional.empty(),
                Optional.empty(),
                elapsed,
                Optional.empty());
    }

    public static Evidence failed(String sourceId, Status status, String error, Duration elapsed) {
        return new Evidence(
                sourceId,
                status,
                Optional.empty(),
                Map.of(),
                Optional.empty(),
                Optional.of(error),
                elapsed,
                Optional.empty());
    }

    /** True when the source did not deliver what it was asked for (not when it was simply not applicable). */
    public boolean missing() {
        return status == Status.ERROR || status == Status.TIMED_OUT || status == Status.NO_DATA;
    }

    /** The line the report prints under "missing evidence", e.g. {@code spark_history: TIMED_OUT after 5 s}. */
    public String missingLine() {
        return sourceId + ": " + status + error.map(e -> " (" + e + ")").orElse("");
    }
}
