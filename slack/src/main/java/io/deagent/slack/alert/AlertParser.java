package io.deagent.slack.alert;

import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Recognises Airflow failure alerts among the {@code message} events of watched channels, and reads what
 * people ask when they mention the bot.
 *
 * <p>An alert is a bot's message (incoming webhooks arrive as {@code subtype: bot_message}; apps posting with
 * a bot token arrive with {@code bot_id} and no subtype) that names a DAG and says it failed. The ids in a
 * log URL are machine-made, so they win over the words of the template; the words supply the rest
 * (logical date, exception, host, owner).
 */
public final class AlertParser {

    /** Task id for alerts about a whole DAG run ("The dag x failed"). */
    public static final String DAG_LEVEL_TASK = "__dag__";

    static final int MAX_ALERT_TEXT = 8000;

    private static final Pattern FAILURE_WORD = Pattern.compile(
            "(?i)\\b(?:failed|failure|failures|failing|error|errored)\\b|:(?:red_circle|rotating_light|x):");
    /** A message stating success or a run in progress is a notice, even when it names a failed try. */
    private static final Pattern NOTICE = Pattern.compile("(?i)\\bsucceeded\\b|\\bsuccessful(?:ly)?\\b"
            + "|\\bstate:?\\s*(?:success|running|queued|skipped|up_for_retry)\\b"
            + "|\\bhas\\s+(?:success|succeeded|running|started|recovered)\\b|\\bis\\s+(?:now\\s+)?running\\b"
            + "|\\brecovered\\b|\\bresolved\\b|:(?:white_check_mark|heavy_check_mark|large_green_circle):");
    /** Attachment colours that mean failure: Slack's "danger", Composer's failed red, plain reds. */
    private static final Set<String> FAILURE_COLOURS = Set.of("danger", "#e01e5a", "#ff0000", "#d00000", "#a30200");
    /** Link labels that describe the link rather than name a task. */
    private static final Set<String> GENERIC_LABELS =
            Set.of("log", "logs", "link", "here", "view", "open", "url", "airflow", "details");

    private final Optional<String> ownBotId;
    private final Optional<String> ownUserId;

    /** Either id may be null or blank when not known yet; messages carrying the other are still dropped. */
    public AlertParser(String ownBotId, String ownUserId) {
        this.ownBotId = present(ownBotId);
        this.ownUserId = present(ownUserId);
    }

    /**
     * The failure an alert reports, from the inner {@code event} of an {@code event_callback}; empty for
     * anything else (people talking, our own replies, edits, joins, success notices, other bots).
     */
    public Optional<FailureEvent> parse(JsonNode event) {
        if (!isForeignBotMessage(event)) {
            return Optional.empty();
        }
        MessageText message = MessageText.of(event);
        if (message.parts().isEmpty()) {
            return Optional.empty();
        }
        String raw = message.raw();
        String display = SlackText.displayText(raw);
        String readable = SlackText.unescape(raw);
        AlertFields fields = AlertFields.read(display, readable);
        Optional<LinkedUrl> url = airflowUrl(SlackText.linkRefs(raw), fields);
        Optional<String> dagId = url.map(u -> u.url().dagId()).or(fields::dagId);
        if (dagId.isEmpty() || !isFailure(display, message.colours(), fields)) {
            return Optional.empty();
        }
        String taskId = url.flatMap(LinkedUrl::taskId).or(fields::taskId).orElse(DAG_LEVEL_TASK);
        Optional<String> runId = url.flatMap(u -> u.url().runId()).or(fields::runId);
        if (!idsFit(dagId.get(), taskId, runId)) {
            return Optional.empty();
        }
        Candidate c = new Candidate(
                dagId.get(),
                taskId,
                runId,
                url.flatMap(u -> u.url().tryNumber()).or(fields::tryNumber),
                url.flatMap(u -> u.url().mapIndex()).or(fields::mapIndex),
                fields.logicalDate().or(() -> url.flatMap(u -> u.url().executionDate())),
                url.map(u -> u.url().url()).or(fields::logUrl),
                url.map(u -> u.url().baseUrl()),
                fields);
        Map<String, Object> rawMap = c.raw();
        rawMap.put("slack", slackCoordinates(event));
        rawMap.put("alert_text", cap(readable, MAX_ALERT_TEXT));
        return Optional.of(c.toEvent(Optional.empty(), rawMap));
    }

    /**
     * What an {@code app_mention} asks for: a pasted log, a link to an Airflow log, or a question. Empty when
     * the event is not a mention someone else wrote (our own messages, edits).
     *
     * @param botUserId the bot's user id, whose {@code <@…>} mention is removed from the text
     */
    public Optional<Mention> parseMention(JsonNode appMentionEvent, String botUserId) {
        if (appMentionEvent == null || !appMentionEvent.isObject() || isOwn(appMentionEvent)) {
            return Optional.empty();
        }
        Optional<String> self = present(botUserId).or(() -> ownUserId);
        if (self.map(appMentionEvent.path("user").asText("")::equals).orElse(false)) {
            return Optional.empty();
        }
        String subtype = appMentionEvent.path("subtype").asText("");
        // Another bot may hand a failure to us by mentioning us; edits and deletions are not new requests.
        if (!subtype.isEmpty() && !subtype.equals("bot_message") && !subtype.equals("thread_broadcast")) {
            return Optional.empty();
        }
        return Optional.of(MentionReader.read(appMentionEvent, self));
    }

    private boolean isForeignBotMessage(JsonNode event) {
        if (event == null || !event.isObject() || event.path("hidden").asBoolean(false)) {
            return false;
        }
        String type = event.path("type").asText("");
        String subtype = event.path("subtype").asText("");
        if (!(type.isEmpty() || type.equals("message")) || !(subtype.isEmpty() || subtype.equals("bot_message"))) {
            return false; // edits, deletions, joins, file shares: not a new alert
        }
        boolean fromBot = subtype.equals("bot_message")
                || !event.path("bot_id").asText("").isBlank()
                || event.path("bot_profile").isObject();
        return fromBot && !isOwn(event);
    }

    private boolean isOwn(JsonNode event) {
        String botId = event.path("bot_id").asText("");
        String user = event.path("user").asText("");
        return ownBotId.map(botId::equals).orElse(false)
                || ownUserId.map(user::equals).orElse(false);
    }

    /** A log URL found in the message, with the link's label (Block Kit alerts label it with the task id). */
    private record LinkedUrl(AirflowLogUrl url, String label) {
        Optional<String> taskId() {
            if (url.taskId().isPresent()) {
                return url.taskId();
            }
            String l = label.strip();
            boolean namesTask = !l.equals(url.url())
                    && AirflowLogUrl.validId(l)
                    && !GENERIC_LABELS.contains(l.toLowerCase(Locale.ROOT));
            return namesTask ? Optional.of(l) : Optional.empty();
        }
    }

    /**
     * The first Airflow URL that names a task (the first failed task of a Block Kit alert), else the first
     * that names a DAG. A URL for another DAG than the text names is still preferred: it is machine-made.
     */
    private static Optional<LinkedUrl> airflowUrl(List<SlackText.Link> links, AlertFields fields) {
        List<LinkedUrl> found = new ArrayList<>();
        for (SlackText.Link link : links) {
            if (SlackText.isWebUrl(link.url())) {
                AirflowLogUrl.parse(link.url()).ifPresent(u -> found.add(new LinkedUrl(u, link.label())));
            }
        }
        fields.logUrl().flatMap(AirflowLogUrl::parse).ifPresent(u -> found.add(new LinkedUrl(u, u.url())));
        return found.stream().filter(u -> u.taskId().isPresent()).findFirst().or(() -> found.stream()
                .findFirst());
    }

    /**
     * A failure word or a red attachment, outside the exception (a retry notice quotes an exception that
     * says "failed") and outside code blocks, and no success or running notice.
     */
    private static boolean isFailure(String display, List<String> colours, AlertFields fields) {
        String headline = headline(display, fields.exceptionLines());
        boolean failed = FAILURE_WORD.matcher(headline).find()
                || colours.stream().anyMatch(FAILURE_COLOURS::contains)
                || fields.state().map("failed"::equals).orElse(false);
        return failed && !NOTICE.matcher(SlackText.stripEmphasis(headline)).find();
    }

    private static String headline(String display, List<String> exceptionLines) {
        Set<String> skip = new HashSet<>();
        exceptionLines.forEach(l -> skip.add(SlackText.stripEmphasis(l).strip()));
        StringBuilder out = new StringBuilder();
        boolean inCode = false;
        for (String line : display.lines().toList()) {
            if (line.contains("```")) {
                inCode ^= (line.split("```", -1).length - 1) % 2 == 1;
                continue;
            }
            String plain = SlackText.stripEmphasis(line).strip();
            if (!inCode && !skip.contains(plain) && !AlertFields.isExceptionLine(line)) {
                out.append(line).append('\n');
            }
        }
        return out.toString();
    }

    static boolean idsFit(String dagId, String taskId, Optional<String> runId) {
        return dagId.length() <= FailureEvents.MAX_ID
                && taskId.length() <= FailureEvents.MAX_ID
                && runId.map(String::length).orElse(0) <= FailureEvents.MAX_ID;
    }

    /** Where the message is, so that a reply can go to its thread: channel, ts, thread_ts, team, bot_id. */
    static Map<String, Object> slackCoordinates(JsonNode event) {
        Map<String, Object> slack = new LinkedHashMap<>();
        for (String key : List.of("channel", "ts", "thread_ts", "team", "bot_id", "user")) {
            String value = event.path(key).asText("");
            if (!value.isBlank()) {
                slack.put(key, value);
            }
        }
        return slack;
    }

    static String cap(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    private static Optional<String> present(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.strip());
    }

    /** The pieces of a failure event before it is built; shared by alerts and mentions. */
    record Candidate(
            String dagId,
            String taskId,
            Optional<String> runId,
            Optional<Integer> tryNumber,
            Optional<Integer> mapIndex,
            Optional<String> logicalDate,
            Optional<String> logUrl,
            Optional<String> baseUrl,
            AlertFields fields) {

        /** The contract keys that were found, in the contract's order. */
        Map<String, Object> raw() {
            Map<String, Object> raw = new LinkedHashMap<>();
            raw.put("dag_id", dagId);
            raw.put("task_id", taskId);
            runId.ifPresent(v -> raw.put("run_id", v));
            logicalDate.ifPresent(v -> raw.put("logical_date", v));
            tryNumber.ifPresent(v -> raw.put("try_number", v));
            fields.maxTries().ifPresent(v -> raw.put("max_tries", v));
            mapIndex.ifPresent(v -> raw.put("map_index", v));
            logUrl.ifPresent(v -> raw.put("log_url", v));
            baseUrl.ifPresent(v -> raw.put("airflow_base_url", v));
            fields.exception().ifPresent(v -> raw.put("exception", v));
            fields.hostname().ifPresent(v -> raw.put("hostname", v));
            fields.operator().ifPresent(v -> raw.put("operator", v));
            fields.owner().ifPresent(v -> raw.put("owner", v));
            return raw;
        }

        FailureEvent toEvent(Optional<String> log, Map<String, Object> fromMessage) {
            // the raw payload is what the store keeps and the worker reads back: it must carry the log too
            Map<String, Object> raw = new java.util.LinkedHashMap<>(fromMessage);
            log.ifPresent(l -> raw.put("log", l));
            return new FailureEvent(
                    FailureEvent.Origin.SLACK,
                    dagId,
                    taskId,
                    runId,
                    tryNumber,
                    logUrl,
                    baseUrl,
                    fields.exception(),
                    log,
                    Optional.empty(),
                    fields.hostname(),
                    fields.operator(),
                    fields.owner(),
                    List.of(),
                    raw);
        }
    }
}
