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
        CLI,
        /** Found by polling the Airflow API: a failure no callback or alert reported (SIGKILL, OOM kill). */
        AIRFLOW_WATCHER
    }

    /**
     * {@code (dag_id, task_id, run_id, try_number)}: one failure delivered twice is one incident. An event
     * without a run id cannot say which run failed, so two of them are one incident only when they carry
     * the same payload (a retried delivery), never just because they name the same task.
     */
    public String dedupeKey() {
        String key = String.join(
                "|",
                dagId,
                taskId,
                runId.orElse(""),
                tryNumber.map(String::valueOf).orElse(""));
        return runId.isPresent() ? key : key + "|payload:" + payloadDigest();
    }

    private String payloadDigest() {
        try {
            byte[] canonical = CANONICAL.writeValueAsBytes(raw);
            byte[] sha = java.security.MessageDigest.getInstance("SHA-256").digest(canonical);
            return java.util.HexFormat.of().formatHex(sha, 0, 16);
        } catch (com.fasterxml.jackson.core.JsonProcessingException | java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("a parsed event always serialises", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper CANONICAL =
            new com.fasterxml.jackson.databind.ObjectMapper()
                    .configure(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
}
