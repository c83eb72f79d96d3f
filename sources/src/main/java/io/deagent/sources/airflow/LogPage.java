package io.deagent.sources.airflow;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;

/**
 * One JSON answer of the log endpoint, as text plus the token to the next page.
 *
 * <ul>
 *   <li>Airflow 2: {@code {"content": "<text or python repr of [(host, text)]>", "continuation_token": "…"}}
 *   <li>Airflow 3: {@code {"content": [{"timestamp", "event", "level", …} | "text"], "continuation_token": …}}
 * </ul>
 *
 * Airflow 3 records become one compact JSON line each, exactly the JSON-lines form Airflow writes to its log files.
 * Rendering them as {@code [timestamp] LEVEL - event} would lose {@code error_detail} (exception types, values and
 * frames) or force a second text format for it; the {@code LogReader} already reads these lines, exceptions
 * included, so the lossless form is the better one.
 */
record LogPage(String text, Optional<String> nextToken) {

    static LogPage parse(JsonNode answer) {
        JsonNode content = answer.path("content");
        String text = content.isTextual() ? legacyText(content.asText()) : lines(content);
        JsonNode token = answer.get("continuation_token");
        return new LogPage(
                text,
                token != null && token.isTextual() && !token.asText().isBlank()
                        ? Optional.of(token.asText())
                        : Optional.empty());
    }

    private static String legacyText(String content) {
        Optional<List<String>> texts = PythonLogRepr.texts(content);
        if (texts.isEmpty()) {
            return content;
        }
        StringBuilder out = new StringBuilder();
        for (String t : texts.get()) {
            if (!out.isEmpty() && out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
            out.append(t);
        }
        return out.toString();
    }

    private static String lines(JsonNode content) {
        if (!content.isArray()) {
            return content.isMissingNode() || content.isNull() ? "" : content.toString() + "\n";
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode item : content) {
            if (item.isTextual()) {
                out.append(item.asText());
            } else if (item.isArray() && item.size() == 2 && item.get(1).isTextual()) {
                out.append(item.get(1).asText()); // [host, text]
            } else {
                out.append(item.toString());
            }
            if (out.isEmpty() || out.charAt(out.length() - 1) != '\n') {
                out.append('\n');
            }
        }
        return out.toString();
    }
}
