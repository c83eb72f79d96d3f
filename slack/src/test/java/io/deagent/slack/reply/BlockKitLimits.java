package io.deagent.slack.reply;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Slack's Block Kit limits, checked on the JSON as it would be sent: what Slack would reject fails the test. */
final class BlockKitLimits {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> TYPES = Set.of("header", "section", "context", "divider");

    private BlockKitLimits() {}

    /** Parses the blocks, checks every limit, and returns every text in them (for content assertions). */
    static List<String> assertWithinLimits(SlackMessage message) {
        assertThat(message.text()).as("fallback text").isNotBlank().hasSizeLessThanOrEqualTo(3000);
        JsonNode blocks;
        try {
            blocks = JSON.readTree(message.blocksJson());
        } catch (Exception e) {
            throw new AssertionError("blocks are not JSON: " + message.blocksJson(), e);
        }
        assertThat(blocks.isArray()).as("blocks is an array").isTrue();
        assertThat(blocks.size()).as("block count").isBetween(1, 50);
        List<String> texts = new ArrayList<>();
        for (JsonNode block : blocks) {
            String type = block.path("type").asText();
            assertThat(TYPES).as("block type of " + block).contains(type);
            switch (type) {
                case "header" -> texts.add(text(block.get("text"), "plain_text", 150));
                case "section" -> section(block, texts);
                case "context" -> context(block, texts);
                default ->
                    assertThat(block.size()).as("divider has only a type").isEqualTo(1);
            }
        }
        int total = texts.stream().mapToInt(String::length).sum();
        assertThat(total).as("total text in the blocks").isLessThanOrEqualTo(40_000);
        return texts;
    }

    private static void section(JsonNode block, List<String> texts) {
        assertThat(block.has("text") || block.has("fields"))
                .as("section has text or fields")
                .isTrue();
        if (block.has("text")) {
            texts.add(text(block.get("text"), "mrkdwn", 3000));
        }
        if (block.has("fields")) {
            assertThat(block.get("fields").size()).as("fields").isBetween(1, 10);
            block.get("fields").forEach(f -> texts.add(text(f, "mrkdwn", 2000)));
        }
    }

    private static void context(JsonNode block, List<String> texts) {
        JsonNode elements = block.get("elements");
        assertThat(elements.isArray()).as("context elements").isTrue();
        assertThat(elements.size()).as("context elements").isBetween(1, 10);
        elements.forEach(e -> texts.add(text(e, "mrkdwn", 3000)));
    }

    private static String text(JsonNode object, String type, int max) {
        assertThat(object.path("type").asText()).as("text object type").isEqualTo(type);
        String text = object.path("text").asText();
        assertThat(text).as("text of " + type).isNotEmpty().hasSizeLessThanOrEqualTo(max);
        return text;
    }
}
