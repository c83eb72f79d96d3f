package io.deagent.lambda;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;

/**
 * One unit of work on the SQS queue between the ack and the worker: what to investigate or answer, already
 * redacted, with the key of its state item in DynamoDB. The body is JSON ({@code "schema": "de-agent/work@1"});
 * {@code kind} and {@code correlation_id} are also message attributes, for filtering and tracing.
 *
 * @param event the failure event JSON, redacted (empty for a follow-up question)
 * @param slack where to answer in Slack (empty for a webhook failure)
 * @param question what was asked in a thread (follow-ups only)
 */
public record WorkItem(
        Kind kind,
        String stateKey,
        String correlationId,
        Instant receivedAt,
        Optional<String> event,
        Optional<SlackThread> slack,
        Optional<String> question) {

    public static final String SCHEMA = "de-agent/work@1";

    /**
     * SQS takes up to 1 MiB, but this is kept well under the 256 KiB it took until 2025, so a queue created with
     * an older default still takes every item; an event's inline log is cut to its tail to fit.
     */
    static final int MAX_BYTES = 240 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What the worker does with an item. */
    public enum Kind {
        /** A failure event (Airflow webhook): investigate and record the diagnosis. */
        FAILURE,
        /** An Airflow alert in Slack, or a mention with a log: investigate and answer in the thread. */
        SLACK_ALERT,
        /** A question in an incident's thread ("why", "logs", "help"): answer from the stored diagnosis. */
        SLACK_FOLLOW_UP;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** A Slack thread: the channel, the thread's ts, and the ts of the message that asked. */
    public record SlackThread(String channel, String threadTs, String messageTs) {}

    /** A message body that is not a work item: it can never succeed, so it ends in the dead-letter queue. */
    public static final class InvalidWorkItem extends RuntimeException {
        InvalidWorkItem(String message) {
            super(message);
        }
    }

    public String toJson() {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("kind", kind.wire());
        o.put("state_key", stateKey);
        o.put("correlation_id", correlationId);
        o.put("received_at", receivedAt.toString());
        event.ifPresent(e -> o.set("event", fitted(e)));
        slack.ifPresent(s -> o.putObject("slack")
                .put("channel", s.channel())
                .put("thread_ts", s.threadTs())
                .put("message_ts", s.messageTs()));
        question.ifPresent(q -> o.put("question", q));
        return o.toString();
    }

    public static WorkItem parse(String body) {
        JsonNode o;
        try {
            o = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new InvalidWorkItem("the message body is not JSON");
        }
        if (o == null || !o.isObject() || !SCHEMA.equals(o.path("schema").asText())) {
            throw new InvalidWorkItem("the message body is not a " + SCHEMA + " object");
        }
        Kind kind;
        try {
            kind = Kind.valueOf(o.path("kind").asText("").toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidWorkItem("unknown kind \"" + o.path("kind").asText() + "\"");
        }
        String key = required(o, "state_key");
        String cid = required(o, "correlation_id");
        Instant at;
        try {
            at = Instant.parse(required(o, "received_at"));
        } catch (DateTimeParseException e) {
            throw new InvalidWorkItem("received_at is not an ISO-8601 instant");
        }
        Optional<String> event =
                o.path("event").isObject() ? Optional.of(o.get("event").toString()) : Optional.empty();
        Optional<SlackThread> slack = Optional.empty();
        if (o.path("slack").isObject()) {
            JsonNode s = o.get("slack");
            slack = Optional.of(new SlackThread(
                    required(s, "channel"),
                    required(s, "thread_ts"),
                    s.path("message_ts").asText("")));
        }
        Optional<String> question =
                o.path("question").isTextual() ? Optional.of(o.get("question").asText()) : Optional.empty();
        if (kind != Kind.SLACK_FOLLOW_UP && event.isEmpty()) {
            throw new InvalidWorkItem(kind.wire() + " without an event");
        }
        if (kind != Kind.FAILURE && slack.isEmpty()) {
            throw new InvalidWorkItem(kind.wire() + " without a Slack thread");
        }
        return new WorkItem(kind, key, cid, at, event, slack, question);
    }

    private static String required(JsonNode o, String field) {
        String v = o.path(field).asText("");
        if (v.isBlank()) {
            throw new InvalidWorkItem("missing \"" + field + "\"");
        }
        return v;
    }

    /** The event, its {@code log} cut to the tail (where failures are) when the item would not fit a message. */
    static JsonNode fitted(String eventJson) {
        JsonNode node;
        try {
            node = JSON.readTree(eventJson);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the event is not JSON", e);
        }
        int size = eventJson.getBytes(StandardCharsets.UTF_8).length;
        if (size <= MAX_BYTES - 4096 || !(node instanceof ObjectNode o)) {
            return node;
        }
        for (String field : new String[] {"log", "exception"}) {
            if (o.path(field).isTextual()) {
                String text = o.get(field).asText();
                int over = o.toString().getBytes(StandardCharsets.UTF_8).length - (MAX_BYTES - 4096);
                if (over > 0) {
                    // characters can take up to 4 bytes: cut enough, then back to a line start
                    int keep = Math.max(0, text.length() - over);
                    String tail = text.substring(text.length() - keep);
                    int nl = tail.indexOf('\n');
                    o.put(field, nl >= 0 && nl < tail.length() - 1 ? tail.substring(nl + 1) : tail);
                    o.put(
                            field + "_chars_omitted",
                            text.length() - o.get(field).asText().length());
                }
            }
        }
        return o;
    }
}
