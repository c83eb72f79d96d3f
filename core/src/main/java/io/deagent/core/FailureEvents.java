package io.deagent.core;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Reads the failure event JSON of CONTRACT.md, with errors that say what is wrong and where. */
public final class FailureEvents {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Airflow's own limit on DAG, task and run ids (ID_LEN). */
    public static final int MAX_ID = 250;

    private FailureEvents() {}

    /** A failure event that cannot be used, with a message for the person who sent it. */
    public static final class InvalidEventException extends RuntimeException {
        public InvalidEventException(String message) {
            super(message);
        }
    }

    public static FailureEvent parse(String json, FailureEvent.Origin origin) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw new InvalidEventException("malformed JSON" + where + ": " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidEventException("the event must be a JSON object with at least dag_id and task_id");
        }
        String dagId = text(node, "dag_id").orElseThrow(() -> new InvalidEventException("missing \"dag_id\""));
        String taskId = text(node, "task_id").orElseThrow(() -> new InvalidEventException("missing \"task_id\""));
        for (String id : new String[] {"dag_id", "task_id", "run_id"}) {
            if (text(node, id).map(String::length).orElse(0) > MAX_ID) {
                throw new InvalidEventException(
                        "\"" + id + "\" is longer than Airflow's limit of " + MAX_ID + " characters");
            }
        }
        Optional<Integer> tryNumber = Optional.empty();
        JsonNode t = node.get("try_number");
        if (t != null && !t.isNull()) {
            if (t.canConvertToInt() && t.isIntegralNumber()) {
                tryNumber = Optional.of(t.asInt());
            } else if (t.isTextual() && t.asText().matches("\\d{1,9}")) {
                tryNumber = Optional.of(Integer.parseInt(t.asText()));
            } else {
                throw new InvalidEventException("\"try_number\" must be a whole number, got " + t);
            }
        }
        List<String> tags = new ArrayList<>();
        JsonNode tagNode = node.get("tags");
        if (tagNode != null && tagNode.isArray()) {
            tagNode.forEach(x -> tags.add(x.asText()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> raw = JSON.convertValue(node, LinkedHashMap.class);
        return new FailureEvent(
                origin,
                dagId,
                taskId,
                text(node, "run_id"),
                tryNumber,
                text(node, "log_url"),
                text(node, "airflow_base_url"),
                text(node, "exception"),
                text(node, "log"),
                text(node, "log_file"),
                text(node, "hostname"),
                text(node, "operator"),
                text(node, "owner"),
                tags,
                raw);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new InvalidEventException("\"" + field + "\" must be a string");
        }
        String s = v.asText();
        return s.isBlank() ? Optional.empty() : Optional.of(s);
    }
}
