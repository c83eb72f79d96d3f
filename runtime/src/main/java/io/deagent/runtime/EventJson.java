package io.deagent.runtime;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.Redactor;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/** Failure events as the store keeps them: JSON with every text value passed through the redactor. */
public final class EventJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private EventJson() {}

    /** The event as it is stored: every text value passed through the redactor, nothing else changed. */
    public static String redacted(byte[] body) {
        JsonNode node;
        try {
            node = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new FailureEvents.InvalidEventException("malformed JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()) + ": "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new FailureEvents.InvalidEventException("unreadable body: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new FailureEvents.InvalidEventException(
                    "the event must be a JSON object with at least dag_id and task_id");
        }
        return redact(node).toString();
    }

    private static JsonNode redact(JsonNode node) {
        if (node.isTextual()) {
            return TextNode.valueOf(Redactor.redact(node.asText()));
        }
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            Iterator<Map.Entry<String, JsonNode>> it = o.properties().iterator();
            while (it.hasNext()) {
                var f = it.next();
                f.setValue(redact(f.getValue()));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = (ArrayNode) node;
            for (int i = 0; i < a.size(); i++) {
                a.set(i, redact(a.get(i)));
            }
        }
        return node;
    }

    /** An event a door built (not received as JSON), redacted the same way. */
    public static String redacted(FailureEvent event) {
        return redact(JSON.valueToTree(event.raw())).toString();
    }
}
