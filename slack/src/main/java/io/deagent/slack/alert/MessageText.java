package io.deagent.slack.alert;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * All the text of one Slack message, in Slack's mrkdwn encoding: {@code text}, legacy {@code attachments}
 * and Block Kit {@code blocks}. Alert senders put the content in any of the three (webhook templates in
 * {@code text}, Composer callbacks in attachments, Block Kit callbacks in blocks with a short {@code text}
 * fallback), so all are read.
 *
 * @param parts mrkdwn strings in reading order, without exact duplicates (fallbacks often repeat the text)
 * @param colours attachment colours ({@code danger}, {@code #E01E5A}…), lower case
 */
record MessageText(List<String> parts, List<String> colours) {

    static MessageText of(JsonNode message) {
        Set<String> parts = new LinkedHashSet<>();
        List<String> colours = new ArrayList<>();
        add(parts, message.path("text"));
        for (JsonNode a : message.path("attachments")) {
            attachment(a, parts);
            String colour = a.path("color").asText("");
            if (!colour.isBlank()) {
                colours.add(colour.strip().toLowerCase(java.util.Locale.ROOT));
            }
        }
        blocks(message.path("blocks"), parts);
        parts.removeIf(String::isBlank);
        return new MessageText(List.copyOf(parts), List.copyOf(colours));
    }

    /** The whole message as one mrkdwn string, one part per line. */
    String raw() {
        return String.join("\n", parts);
    }

    private static void attachment(JsonNode a, Set<String> parts) {
        add(parts, a.path("pretext"));
        add(parts, a.path("author_name"));
        String title = a.path("title").asText("");
        String titleLink = a.path("title_link").asText("");
        if (!titleLink.isBlank()) {
            // Composer callbacks link the title to the DAG page: keep the URL with the title.
            parts.add("<" + titleLink + "|" + (title.isBlank() ? titleLink : title) + ">");
        } else {
            add(parts, a.path("title"));
        }
        add(parts, a.path("text"));
        List<String> fields = new ArrayList<>();
        for (JsonNode f : a.path("fields")) {
            String t = f.path("title").asText("").strip();
            String v = f.path("value").asText("").strip();
            // "title: value" reads like the "*Dag*: x" lines of text templates, so one field parser serves both.
            fields.add(t.isEmpty() ? v : t + ": " + v);
        }
        if (!fields.isEmpty()) {
            parts.add(String.join("\n", fields));
        }
        for (JsonNode action : a.path("actions")) {
            link(action.path("url").asText(""), action.path("text").asText(""), parts);
        }
        blocks(a.path("blocks"), parts);
        add(parts, a.path("footer"));
        add(parts, a.path("fallback"));
    }

    /** Walks Block Kit blocks: section, header, context, actions, rich_text and anything else with text. */
    private static void blocks(JsonNode node, Set<String> parts) {
        if (node.isArray()) {
            node.forEach(n -> blocks(n, parts));
            return;
        }
        if (!node.isObject()) {
            return;
        }
        String type = node.path("type").asText("");
        if (type.equals("rich_text")) {
            parts.add(RichText.toMrkdwn(node));
            return;
        }
        if (node.path("url").isTextual()) {
            // A button or link element: keep the target (often "View log").
            link(node.path("url").asText(), labelOf(node.path("text")), parts);
            return;
        }
        JsonNode text = node.path("text");
        if (text.isTextual()) {
            add(parts, text);
        } else {
            blocks(text, parts);
        }
        for (String child : List.of("fields", "elements", "accessory", "blocks")) {
            blocks(node.path(child), parts);
        }
    }

    private static String labelOf(JsonNode text) {
        return text.isTextual() ? text.asText() : text.path("text").asText("");
    }

    private static void link(String url, String label, Set<String> parts) {
        if (!url.isBlank()) {
            parts.add(label.isBlank() ? "<" + url + ">" : "<" + url + "|" + label + ">");
        }
    }

    private static void add(Set<String> parts, JsonNode text) {
        if (text.isTextual() && !text.asText().isBlank()) {
            parts.add(text.asText());
        }
    }

    /**
     * Rich text (what people type, and what some apps post) is structured, not mrkdwn: literal text is not
     * escaped and links are separate elements. Turned into mrkdwn so that one reader handles every part.
     */
    static final class RichText {

        private RichText() {}

        static String toMrkdwn(JsonNode richText) {
            List<String> lines = new ArrayList<>();
            for (JsonNode el : richText.path("elements")) {
                lines.add(element(el));
            }
            return String.join("\n", lines);
        }

        private static String element(JsonNode el) {
            String inline = inline(el.path("elements"));
            return switch (el.path("type").asText("")) {
                case "rich_text_preformatted" -> "```\n" + inline + "\n```";
                case "rich_text_quote" -> "> " + inline.replace("\n", "\n> ");
                case "rich_text_list" -> {
                    List<String> items = new ArrayList<>();
                    el.path("elements").forEach(item -> items.add("• " + inline(item.path("elements"))));
                    yield String.join("\n", items);
                }
                default -> inline;
            };
        }

        private static String inline(JsonNode elements) {
            StringBuilder out = new StringBuilder();
            for (JsonNode e : elements) {
                String text = e.path("text").asText("");
                switch (e.path("type").asText("")) {
                    case "text" -> out.append(escape(text));
                    case "link" -> {
                        String url = e.path("url").asText("");
                        out.append(text.isBlank() ? "<" + url + ">" : "<" + url + "|" + escape(text) + ">");
                    }
                    case "user" ->
                        out.append("<@").append(e.path("user_id").asText("")).append('>');
                    case "channel" ->
                        out.append("<#").append(e.path("channel_id").asText("")).append('>');
                    case "usergroup" ->
                        out.append("<!subteam^")
                                .append(e.path("usergroup_id").asText(""))
                                .append('>');
                    case "broadcast" ->
                        out.append("<!").append(e.path("range").asText("here")).append('>');
                    case "emoji" ->
                        out.append(':').append(e.path("name").asText("")).append(':');
                    case "date" -> out.append(escape(e.path("fallback").asText("")));
                    default -> out.append(escape(text));
                }
            }
            return out.toString();
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
