package io.deagent.app.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.app.store.IncidentStore;
import io.deagent.app.store.Outbox;
import io.deagent.app.store.SlackRecords;
import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.runtime.EventJson;
import io.deagent.slack.SlackDoor;
import io.deagent.slack.alert.AlertParser;
import io.deagent.slack.reply.ReplyRenderer;
import io.deagent.slack.reply.SlackMessage;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What the Slack door does with a verified event, before Slack gets its 200: remember the delivery (so
 * retries do nothing), and record what it asks for in the store (an incident and its thread reply, a
 * follow-up answer, a feedback verdict). Sending happens later, from the outbox.
 */
final class SlackIntake implements SlackDoor.EventSink {

    private static final Logger log = LoggerFactory.getLogger(SlackIntake.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String CHANNEL = "slack";
    private static final Set<String> CORRECT = Set.of("+1", "thumbsup", "white_check_mark", "heavy_check_mark");
    private static final Set<String> WRONG = Set.of("-1", "thumbsdown", "x", "negative_squared_cross_mark");

    private final IncidentStore store;
    private final Outbox outbox;
    private final SlackRecords records;
    private final SlackChannels channels;
    private final Supplier<SlackIdentity> identity;
    private final ServiceMetrics metrics;
    private final Runnable wakeInvestigations;
    private final Runnable wakeReplies;
    private final Clock clock;
    private final boolean llmAnswersQuestions;

    /** Who the bot is in Slack, once known ({@code auth.test}); blank until then. */
    record SlackIdentity(String userId, String botId) {}

    SlackIntake(
            IncidentStore store,
            Outbox outbox,
            SlackRecords records,
            SlackChannels channels,
            Supplier<SlackIdentity> identity,
            ServiceMetrics metrics,
            Runnable wakeInvestigations,
            Runnable wakeReplies,
            Clock clock,
            boolean llmAnswersQuestions) {
        this.store = store;
        this.outbox = outbox;
        this.records = records;
        this.channels = channels;
        this.identity = identity;
        this.metrics = metrics;
        this.wakeInvestigations = wakeInvestigations;
        this.wakeReplies = wakeReplies;
        this.clock = clock;
        this.llmAnswersQuestions = llmAnswersQuestions;
    }

    @Override
    public void accept(JsonNode envelope, Optional<Integer> retryNum) {
        String eventId = envelope.path("event_id").asText("");
        JsonNode event = envelope.path("event");
        String type = event.path("type").asText("");
        if (!eventId.isEmpty() && records.handled(eventId)) {
            metrics.slackEvent(type, "duplicate");
            log.info("Slack event {} delivered again (retry {}); already handled", eventId, retryNum.orElse(0));
            return;
        }
        if (fromThisApp(envelope, event)) {
            // our own replies come back as message events; never read them as alerts or mentions
            metrics.slackEvent(type, "own_message");
            return;
        }
        switch (type) {
            case "message" -> onMessage(event);
            case "app_mention" -> onMention(event);
            case "reaction_added" -> onReaction(event);
            default -> metrics.slackEvent(type, "ignored");
        }
        // remembered only once handled: if recording failed, Slack's retry is handled again, and the alert's
        // own keys (the failure, the thread, the reply) keep that from doing anything twice
        if (!eventId.isEmpty()) {
            records.firstDelivery(eventId, clock.instant());
        }
    }

    /** Posted by this Slack app: the message's app id is the envelope's {@code api_app_id}. */
    static boolean fromThisApp(JsonNode envelope, JsonNode event) {
        String ours = envelope.path("api_app_id").asText("");
        if (ours.isEmpty()) {
            return false;
        }
        return ours.equals(event.path("app_id").asText())
                || ours.equals(event.path("bot_profile").path("app_id").asText())
                || ours.equals(event.path("message").path("app_id").asText());
    }

    private void onMessage(JsonNode event) {
        String channel = event.path("channel").asText("");
        if (!channels.watches(channel)) {
            metrics.slackEvent("message", "unwatched_channel");
            return;
        }
        SlackIdentity me = identity.get();
        Optional<FailureEvent> alert = new AlertParser(me.botId(), me.userId()).parse(event);
        if (alert.isEmpty()) {
            metrics.slackEvent("message", "not_an_alert");
            return;
        }
        // an alert posted inside a thread is answered in that thread (Slack has no threads within threads)
        String thread = event.path("thread_ts").asText(event.path("ts").asText());
        investigate(alert.get(), channel, thread, "alert");
    }

    private void onMention(JsonNode event) {
        String channel = event.path("channel").asText("");
        String ts = event.path("ts").asText();
        String threadTs = event.path("thread_ts").asText(ts);
        var mention = new AlertParser(identity.get().botId(), identity.get().userId())
                .parseMention(event, identity.get().userId());
        if (mention.isEmpty()) {
            metrics.slackEvent("app_mention", "ignored");
            return;
        }
        var m = mention.get();
        if (m.event().isPresent() && m.kind() != io.deagent.slack.alert.Mention.Kind.QUESTION) {
            investigate(m.event().get(), channel, threadTs, "mention");
            return;
        }
        Optional<Long> incident = records.incidentOfThread(channel, threadTs);
        if (incident.isEmpty()) {
            metrics.slackEvent("app_mention", "no_incident");
            log.info("mention outside an incident thread in {}; nothing to answer from", channel);
            return;
        }
        String q = m.text().trim().toLowerCase(Locale.ROOT);
        boolean command = q.isEmpty() || q.startsWith("why") || q.startsWith("log") || q.startsWith("help");
        if (llmAnswersQuestions && !command) {
            outbox.addQuestion(incident.get(), CHANNEL, channel + "/" + threadTs + "#" + ts, m.text(), clock.instant());
            metrics.slackEvent("app_mention", "question");
            wakeReplies.run();
            return;
        }
        SlackMessage answer = followUp(incident.get(), m.text());
        String payload = JSON.createObjectNode()
                .put("text", answer.text())
                .put("blocks", answer.blocksJson())
                .toString();
        outbox.addText(incident.get(), CHANNEL, channel + "/" + threadTs + "#" + ts, payload, clock.instant());
        metrics.slackEvent("app_mention", "follow_up");
        wakeReplies.run();
    }

    /** {@code why}, {@code logs}, anything else: {@code help}. */
    private SlackMessage followUp(long incidentId, String question) {
        Optional<Diagnosis> d = store.find(incidentId)
                .flatMap(IncidentStore.Incident::diagnosisJson)
                .map(DiagnosisJson::read);
        String q = question.trim().toLowerCase(Locale.ROOT);
        if (d.isEmpty()) {
            return ReplyRenderer.help();
        }
        if (q.startsWith("why")) {
            return ReplyRenderer.why(d.get());
        }
        if (q.startsWith("log")) {
            return ReplyRenderer.logs(d.get());
        }
        return ReplyRenderer.help();
    }

    private void investigate(FailureEvent event, String channel, String threadTs, String via) {
        IncidentStore.Accepted accepted = store.accept(event, EventJson.redacted(event), clock.instant());
        MDC.put("correlation_id", accepted.correlationId());
        try {
            long incident = records.linkThread(channel, threadTs, accepted.id(), clock.instant());
            boolean newReply = outbox.ensureThreadReply(incident, CHANNEL, channel + "/" + threadTs, clock.instant());
            metrics.slackEvent(via, accepted.duplicate() ? "known_failure" : "incident");
            log.info(
                    "Slack {} in {} is incident {} ({}.{}){}",
                    via,
                    channel,
                    incident,
                    event.dagId(),
                    event.taskId(),
                    accepted.duplicate() ? ", already known" : "");
            if (!accepted.duplicate()) {
                wakeInvestigations.run();
            }
            if (newReply) {
                wakeReplies.run();
            }
        } finally {
            MDC.remove("correlation_id");
        }
    }

    private void onReaction(JsonNode event) {
        JsonNode item = event.path("item");
        if (!"message".equals(item.path("type").asText())) {
            return;
        }
        String reaction = event.path("reaction").asText("").replaceAll("::skin-tone-\\d$", "");
        String verdict = CORRECT.contains(reaction) ? "correct" : WRONG.contains(reaction) ? "wrong" : null;
        if (verdict == null) {
            metrics.slackEvent("reaction_added", "ignored");
            return;
        }
        Optional<Long> incident = outbox.incidentOfMessage(
                item.path("channel").asText(), item.path("ts").asText());
        if (incident.isEmpty()) {
            metrics.slackEvent("reaction_added", "not_our_reply");
            return;
        }
        Optional<Diagnosis> d = store.find(incident.get())
                .flatMap(IncidentStore.Incident::diagnosisJson)
                .map(DiagnosisJson::read);
        boolean counted = records.recordFeedback(
                incident.get(),
                event.path("user").asText("unknown"),
                reaction,
                verdict,
                d.map(Diagnosis::category),
                d.map(Diagnosis::signature),
                clock.instant());
        if (counted) {
            metrics.feedback(d.map(Diagnosis::category).orElse("unknown"), verdict);
            log.info("feedback on incident {}: {} ({})", incident.get(), verdict, reaction);
        }
    }

    static Map<String, String> target(String target) {
        int slash = target.indexOf('/');
        int hash = target.indexOf('#');
        String channel = slash < 0 ? target : target.substring(0, slash);
        String thread = slash < 0 ? "" : target.substring(slash + 1, hash < 0 ? target.length() : hash);
        return Map.of("channel", channel, "thread_ts", thread);
    }
}
