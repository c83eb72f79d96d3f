package io.deagent.sources.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What Airflow said in an error body, in one line: RFC 7807 {@code detail} (else {@code title}) from Airflow 2,
 * FastAPI's {@code detail} (a string or a list of validation errors) from Airflow 3, or the start of any other body.
 */
final class ErrorDetail {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX = 300;

    private ErrorDetail() {}

    static String of(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonNode node = JSON.readTree(body);
            if (node != null) {
                return of(node);
            }
        } catch (Exception notJson) {
            // an HTML error page or plain text: shown as it starts
        }
        return shorten(body.replaceAll("<[^>]*>", " ").replaceAll("\\s+", " ").strip());
    }

    static String of(JsonNode node) {
        if (node.isTextual()) {
            return shorten(node.asText());
        }
        JsonNode detail = node.get("detail");
        if (detail != null && detail.isTextual() && !detail.asText().isBlank()) {
            return shorten(detail.asText());
        }
        if (detail != null && (detail.isArray() || detail.isObject())) {
            return shorten(detail.toString());
        }
        JsonNode title = node.get("title");
        if (title != null && title.isTextual()) {
            return shorten(title.asText());
        }
        return shorten(node.toString());
    }

    private static String shorten(String s) {
        String oneLine = s.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX ? oneLine : oneLine.substring(0, MAX) + "…";
    }
}
