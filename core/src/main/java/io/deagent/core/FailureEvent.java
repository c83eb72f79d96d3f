package io.deagent.core;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A failed task, as a door received it: pipeline coordinates, optional log text or exception text, and the
 * raw payload. Only {@code dagId} and {@code taskId} are required.
 */
public record FailureEvent(
        Origin origin,
        String dagId,
        String taskId,
        Optional<String> runId,
        Optional<Integer> tryNumber,
        Optional<String> logUrl,
        Optional<String> airflowBaseUrl,
        Optional<String> exception,
        Optional<String> log,
        Optional<String> logFile,
        Optional<String> hostname,
        Optional<String> operator,
        Optional<String> owner,
        List<String> tags,
        Map<String, Object> raw) {

    /** Where the event came from. */
    public enum Origin {
        SLACK,
        AIRFLOW_WEBHOOK,
        KAFKA,
        SQS,
        CLI
    }

    /** {@code (dag_id, task_id, run_id, try_number)}: one failure delivered twice is one incident. */
    public String dedupeKey() {
        return String.join(
                "|",
                dagId,
                taskId,
                runId.orElse(""),
                tryNumber.map(String::valueOf).orElse(""));
    }
}
