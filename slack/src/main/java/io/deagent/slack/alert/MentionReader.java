package io.deagent.slack.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.core.FailureEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads an {@code app_mention}: a pasted log, a link to an Airflow log, or a question. */
final class MentionReader {

    /** Placeholder coordinates for a pasted log that names no DAG. */
    static final String PASTED_DAG = "slack";

    static final String PASTED_TASK = "pasted_log";

    /** Logs pasted into Slack are capped by Slack itself (40k chars); keep the tail the diagnosis needs. */
    static final int MAX_LOG = 200_000;

    private static final int MIN_LOG_LINES = 3;
    private static final Pattern CODE_BLOCK = Pattern.compile("```(.*?)```", Pattern.DOTALL);
    private static final Pattern LEADING_USER_MENTION = Pattern.compile("^\\s*<@[UW][A-Z0-9]+(?:\\|[^>]*)?>");
    /** Lines that only a log has: timestamps, levels, tracebacks, stack frames, JSON log records. */
    private static final Pattern LOG_LINE = Pattern.compile("(?x)^\\s*(?:"
            + "\\[?\\d{4}-\\d{2}-\\d{2}[ T,]\\s?\\d{2}:\\d{2}"
            + "|\\d{2}/\\d{2}/\\d{2,4}\\s\\d{2}:\\d{2}"
            + "|Traceback\\s\\(most\\srecent\\scall\\slast\\):"
            + "|File\\s\"[^\"]+\",\\sline\\s\\d+"
            + "|(?:INFO|WARN|WARNING|ERROR|DEBUG|FATAL|CRITICAL|TRACE)\\b"
            + "|at\\s[\\w$.]+\\("
            + "|Caused\\sby:"
            + "|\\{\".*\"(?:level|timestamp|event|logger)\""
            + "|\\*\\*\\*\\s"
            + ")|\\s(?:INFO|WARN|WARNING|ERROR|DEBUG|CRITICAL)\\s-\\s");

    private MentionReader() {}

    static Mention read(JsonNode event, Optional<String> botUserId) {
        String raw = withoutMention(text(event), botUserId);
        Optional<String> pasted = pastedLog(raw);
        if (pasted.isPresent()) {
            return new Mention(
                    Mention.Kind.PASTED_LOG, pasted.get(), Optional.of(pastedEvent(raw, pasted.get(), event)));
        }
        String readable = SlackText.unescape(raw).strip();
        for (String url : SlackText.links(raw)) {
            Optional<AirflowLogUrl> log = AirflowLogUrl.parse(url);
            if (log.isPresent()) {
                return new Mention(Mention.Kind.LOG_LINK, readable, Optional.of(linkEvent(log.get(), event)));
            }
        }
        return new Mention(Mention.Kind.QUESTION, readable, Optional.empty());
    }

    /** The mention's text; a message with only rich-text blocks (some clients) is read from those. */
    private static String text(JsonNode event) {
        String text = event.path("text").asText("");
        return text.isBlank() ? MessageText.of(event).raw() : text;
    }

    private static String withoutMention(String raw, Optional<String> botUserId) {
        if (botUserId.isPresent()) {
            return raw.replaceAll("<@" + Pattern.quote(botUserId.get()) + "(?:\\|[^>]*)?>", "");
        }
        // Unknown bot id: a mention is addressed with a leading <@…>, so that one is ours.
        return LEADING_USER_MENTION.matcher(raw).replaceFirst("");
    }

    /** The contents of code blocks, or the whole text when enough of its lines read like a log. */
    private static Optional<String> pastedLog(String raw) {
        Matcher m = CODE_BLOCK.matcher(raw);
        List<String> blocks = new ArrayList<>();
        while (m.find()) {
            String block = SlackText.unescape(m.group(1)).strip();
            if (!block.isEmpty()) {
                blocks.add(block);
            }
        }
        if (!blocks.isEmpty()) {
            return Optional.of(tail(String.join("\n", blocks)));
        }
        String readable = SlackText.unescape(raw).strip();
        long logLines = readable.lines().filter(l -> LOG_LINE.matcher(l).find()).count();
        return logLines >= MIN_LOG_LINES ? Optional.of(tail(readable)) : Optional.empty();
    }

    private static FailureEvent pastedEvent(String raw, String log, JsonNode event) {
        AlertFields fields = AlertFields.read(SlackText.displayText(raw), SlackText.unescape(raw));
        Optional<AirflowLogUrl> url = SlackText.links(raw).stream()
                .flatMap(u -> AirflowLogUrl.parse(u).stream())
                .findFirst();
        String dagId = url.map(AirflowLogUrl::dagId).or(fields::dagId).orElse(PASTED_DAG);
        String taskId = url.flatMap(AirflowLogUrl::taskId)
                .or(fields::taskId)
                .orElse(dagId.equals(PASTED_DAG) ? PASTED_TASK : AlertParser.DAG_LEVEL_TASK);
        Optional<String> runId = url.flatMap(AirflowLogUrl::runId).or(fields::runId);
        if (!AlertParser.idsFit(dagId, taskId, runId)) {
            // Ids too long for Airflow were not Airflow ids: keep the log, drop the coordinates.
            dagId = PASTED_DAG;
            taskId = PASTED_TASK;
            runId = Optional.empty();
        }
        AlertParser.Candidate c = new AlertParser.Candidate(
                dagId,
                taskId,
                runId,
                url.flatMap(AirflowLogUrl::tryNumber).or(fields::tryNumber),
                url.flatMap(AirflowLogUrl::mapIndex).or(fields::mapIndex),
                fields.logicalDate().or(() -> url.flatMap(AirflowLogUrl::executionDate)),
                url.map(AirflowLogUrl::url),
                url.map(AirflowLogUrl::baseUrl),
                fields);
        Map<String, Object> rawMap = c.raw();
        rawMap.put("slack", AlertParser.slackCoordinates(event));
        return c.toEvent(Optional.of(log), rawMap);
    }

    private static FailureEvent linkEvent(AirflowLogUrl url, JsonNode event) {
        AlertParser.Candidate c = new AlertParser.Candidate(
                url.dagId(),
                url.taskId().orElse(AlertParser.DAG_LEVEL_TASK),
                url.runId(),
                url.tryNumber(),
                url.mapIndex(),
                url.executionDate(),
                Optional.of(url.url()),
                Optional.of(url.baseUrl()),
                AlertFields.read("", ""));
        Map<String, Object> rawMap = c.raw();
        rawMap.put("slack", AlertParser.slackCoordinates(event));
        return c.toEvent(Optional.empty(), rawMap);
    }

    private static String tail(String log) {
        return log.length() <= MAX_LOG ? log : log.substring(log.length() - MAX_LOG);
    }
}
