package io.deagent.slack.reply;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * Block Kit blocks kept inside Slack's limits. Slack rejects a whole message ({@code invalid_blocks},
 * {@code msg_blocks_too_long}) when one block breaks a limit, so the renderer fits its texts first and this class
 * is the last guard: a text that is still too long is cut, a block past the count or size budget is left out.
 */
final class Blocks {

    static final int MAX_BLOCKS = 50;
    static final int MAX_SECTION_TEXT = 3000;
    static final int MAX_FIELDS = 10;
    static final int MAX_FIELD_TEXT = 2000;
    static final int MAX_CONTEXT_ELEMENTS = 10;
    static final int MAX_CONTEXT_TEXT = 3000;

    /** Slack truncates a message's text past 40,000 characters; the blocks together stay under it too. */
    static final int MAX_MESSAGE_TEXT = 40_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ArrayNode blocks = JSON.createArrayNode();
    private int chars;

    /** Whether a block of {@code textLength} characters still fits in the count and size budget. */
    boolean fits(int textLength) {
        return blocks.size() < MAX_BLOCKS && chars + textLength <= MAX_MESSAGE_TEXT;
    }

    int size() {
        return blocks.size();
    }

    boolean section(String mrkdwn) {
        return section(mrkdwn, List.of());
    }

    boolean section(String mrkdwn, List<String> fields) {
        String text = SlackMrkdwn.clip(mrkdwn, MAX_SECTION_TEXT);
        List<String> kept = fields.stream()
                .limit(MAX_FIELDS)
                .map(f -> SlackMrkdwn.clip(f, MAX_FIELD_TEXT))
                .toList();
        int length = text.length() + kept.stream().mapToInt(String::length).sum();
        if (!fits(length)) {
            return false;
        }
        ObjectNode section = blocks.addObject().put("type", "section");
        section.set("text", mrkdwn(text));
        if (!kept.isEmpty()) {
            ArrayNode f = section.putArray("fields");
            kept.forEach(x -> f.add(mrkdwn(x)));
        }
        chars += length;
        return true;
    }

    boolean context(List<String> elements) {
        List<String> kept = elements.stream()
                .limit(MAX_CONTEXT_ELEMENTS)
                .map(e -> SlackMrkdwn.clip(e, MAX_CONTEXT_TEXT))
                .toList();
        int length = kept.stream().mapToInt(String::length).sum();
        if (kept.isEmpty() || !fits(length)) {
            return false;
        }
        ArrayNode e = blocks.addObject().put("type", "context").putArray("elements");
        kept.forEach(x -> e.add(mrkdwn(x)));
        chars += length;
        return true;
    }

    boolean divider() {
        if (!fits(0)) {
            return false;
        }
        blocks.addObject().put("type", "divider");
        return true;
    }

    String json() {
        try {
            return JSON.writeValueAsString(blocks);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }

    /** Slack rejects an empty text object, so an empty text becomes a dash. */
    private static ObjectNode mrkdwn(String text) {
        return JSON.createObjectNode().put("type", "mrkdwn").put("text", text.isBlank() ? "–" : text);
    }
}
