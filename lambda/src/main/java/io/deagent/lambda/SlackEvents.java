package io.deagent.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.core.FailureEvent;
import io.deagent.runtime.EventJson;
import io.deagent.slack.SlackDoor;
import io.deagent.slack.alert.AlertParser;
import io.deagent.slack.alert.Mention;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ack's sink for verified Slack events: a delivery is taken once ({@code event_id} in DynamoDB), an Airflow
 * alert (or a mention carrying a log) becomes investigation work for its thread, a question in a thread becomes
 * a follow-up; the rest is acknowledged and dropped. Reading an alert is local work (no Slack call), so the
 * answer stays fast; feedback reactions are counted by {@code serve} only.
 */
final class SlackEvents implements SlackDoor.EventSink {

    private static final Logger log = LoggerFactory.getLogger(SlackEvents.class);

    private final AckIntake intake;
    private final StateTable state;
    private final Set<String> channels;

    /** @param channels the watched channel ids ({@code SLACK_CHANNELS}); empty watches every channel */
    SlackEvents(AckIntake intake, StateTable state, Set<String> channels) {
        this.intake = intake;
        this.state = state;
        this.channels = Set.copyOf(channels);
    }

    @Override
    public void accept(JsonNode envelope, Optional<Integer> retryNum) {
        String eventId = envelope.path("event_id").asText("");
        JsonNode event = envelope.path("event");
        String type = event.path("type").asText("");
        String deliveryKey = StateTable.slackEventKey(eventId);
        try {
            if (!eventId.isEmpty() && !state.putIfAbsent(deliveryKey, StateTable.DELIVERY_TTL, Map.of("type", type))) {
                log.info("Slack event {} delivered again (retry {}); already taken", eventId, retryNum.orElse(0));
                return;
            }
            try {
                route(envelope, event, type);
            } catch (StateTable.Unavailable | WorkQueue.Unavailable e) {
                if (!eventId.isEmpty()) {
                    forget(deliveryKey);
                }
                throw e;
            }
        } catch (StateTable.Unavailable | WorkQueue.Unavailable e) {
            throw new SlackDoor.SinkUnavailable(e.getMessage());
        }
    }

    private void route(JsonNode envelope, JsonNode event, String type) {
        if (fromThisApp(envelope, event)) {
            return; // our own replies come back as message events
        }
        String channel = event.path("channel").asText("");
        String ts = event.path("ts").asText("");
        String threadTs = event.path("thread_ts").asText(ts);
        String botUser = envelope.path("authorizations").path(0).path("user_id").asText("");
        AlertParser parser = new AlertParser("", botUser);
        switch (type) {
            case "message" -> {
                if (!channels.isEmpty() && !channels.contains(channel)) {
                    return;
                }
                parser.parse(event).ifPresent(alert -> investigate(alert, channel, threadTs, ts, "alert"));
            }
            case "app_mention" -> {
                Optional<Mention> mention = parser.parseMention(event, botUser);
                if (mention.isEmpty()) {
                    return;
                }
                Mention m = mention.get();
                if (m.event().isPresent() && m.kind() != Mention.Kind.QUESTION) {
                    investigate(m.event().get(), channel, threadTs, ts, "mention");
                } else {
                    followUp(channel, threadTs, ts, m.text());
                }
            }
            default -> log.debug("Slack {} event not used by the Lambda deployment", type);
        }
    }

    private void investigate(FailureEvent alert, String channel, String threadTs, String ts, String via) {
        String key = StateTable.slackAlertKey(channel, ts);
        String json = EventJson.redacted(alert);
        var result = intake.enqueueOnce(
                key,
                Map.of("kind", "slack_alert", "dag_id", alert.dagId(), "task_id", alert.taskId(), "channel", channel),
                cid -> new WorkItem(
                        WorkItem.Kind.SLACK_ALERT,
                        key,
                        cid,
                        intake.now(),
                        Optional.of(json),
                        Optional.of(new WorkItem.SlackThread(channel, threadTs, ts)),
                        Optional.empty()));
        if (!result.duplicate()) {
            log.info(
                    "Slack {} in {} queued for {}.{} as {}",
                    via,
                    channel,
                    alert.dagId(),
                    alert.taskId(),
                    result.correlationId());
        }
    }

    private void followUp(String channel, String threadTs, String ts, String question) {
        String key = "slack-follow-up#" + channel + "#" + ts;
        intake.enqueueOnce(
                key,
                Map.of("kind", "slack_follow_up", "channel", channel),
                cid -> new WorkItem(
                        WorkItem.Kind.SLACK_FOLLOW_UP,
                        key,
                        cid,
                        intake.now(),
                        Optional.empty(),
                        Optional.of(new WorkItem.SlackThread(channel, threadTs, ts)),
                        Optional.of(question)));
    }

    private void forget(String key) {
        try {
            state.forget(key);
        } catch (StateTable.Unavailable e) {
            log.warn("cannot remove {} after a failure: {}", key, e.getMessage());
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
}
