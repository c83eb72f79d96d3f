package io.deagent.lambda;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.runtime.EventJson;
import io.deagent.runtime.WebhookSignature;
import io.deagent.slack.SlackDoor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the ack does with a request, before API Gateway's answer: verify it, record it once in DynamoDB, put
 * the work on the SQS queue, and answer. No investigation, no Slack call: the answer comes in milliseconds,
 * well inside Slack's 3 seconds. When DynamoDB or SQS is down the answer is 503 and nothing is kept, so the
 * sender's retry (Slack's, the Airflow callback's) is taken as new.
 */
final class AckIntake {

    private static final Logger log = LoggerFactory.getLogger(AckIntake.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** An item left "accepting" this long lost its message (the ack died between the two writes): redo it. */
    static final Duration STALE_ACCEPT = Duration.ofSeconds(30);

    /** What to answer. */
    record Answer(int status, String contentType, String body) {
        static Answer json(int status, Object body) {
            return new Answer(status, "application/json", JSON.valueToTree(body).toString());
        }

        static Answer error(int status, String message) {
            return json(status, Map.of("error", message));
        }
    }

    private final Optional<WebhookSignature> signature;
    private final Optional<SlackDoor> slack;
    private final StateTable state;
    private final WorkQueue queue;
    private final EmfMetrics metrics;
    private final Clock clock;
    private final int maxBodyBytes;

    AckIntake(
            Optional<WebhookSignature> signature,
            Optional<SlackDoor> slack,
            StateTable state,
            WorkQueue queue,
            EmfMetrics metrics,
            Clock clock,
            int maxBodyBytes) {
        this.signature = signature;
        this.slack = slack;
        this.state = state;
        this.queue = queue;
        this.metrics = metrics;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
    }

    boolean slackConfigured() {
        return slack.isPresent();
    }

    boolean webhookConfigured() {
        return signature.isPresent();
    }

    /** {@code POST /webhooks/airflow}: the failure event of CONTRACT.md, signed as {@link WebhookSignature} says. */
    Answer webhook(byte[] body, Function<String, String> header, String sourceIp) {
        if (body.length > maxBodyBytes) {
            return Answer.error(413, "the body is larger than " + maxBodyBytes + " bytes; send the tail of the log");
        }
        if (signature.isEmpty()) {
            log.warn("webhook request refused: DE_AGENT_WEBHOOK_SECRET is not set, so no request can be verified");
            return Answer.error(401, "unauthorized");
        }
        WebhookSignature.Verdict verdict = signature
                .get()
                .verify(
                        header.apply(WebhookSignature.TIMESTAMP_HEADER),
                        header.apply(WebhookSignature.SIGNATURE_HEADER),
                        body,
                        clock.instant());
        if (verdict != WebhookSignature.Verdict.VALID) {
            log.warn("webhook request refused: {} (from {})", verdict, sourceIp);
            return Answer.error(401, "unauthorized");
        }
        String redacted;
        FailureEvent event;
        try {
            redacted = EventJson.redacted(body);
            event = FailureEvents.parse(redacted, FailureEvent.Origin.AIRFLOW_WEBHOOK);
        } catch (FailureEvents.InvalidEventException e) {
            return Answer.error(400, e.getMessage());
        }
        String key = StateTable.failureKey(event.dedupeKey());
        Enqueued result;
        try {
            result = enqueueOnce(
                    key,
                    Map.of("kind", "failure", "dag_id", event.dagId(), "task_id", event.taskId()),
                    cid -> new WorkItem(
                            WorkItem.Kind.FAILURE,
                            key,
                            cid,
                            clock.instant(),
                            Optional.of(redacted),
                            Optional.empty(),
                            Optional.empty()));
        } catch (StateTable.Unavailable | WorkQueue.Unavailable e) {
            log.error("cannot queue a webhook event for {}.{}: {}", event.dagId(), event.taskId(), e.getMessage());
            return Answer.error(503, "the queue is unavailable; retry shortly");
        }

        if (result.duplicate()) {
            log.info("duplicate delivery of {}.{} ({})", event.dagId(), event.taskId(), key);
            return Answer.json(200, Map.of("status", "known", "duplicate", true));
        }
        log.info("queued {}.{} as {}", event.dagId(), event.taskId(), result.correlationId());
        return Answer.json(
                202,
                Map.of(
                        "id",
                        result.correlationId(),
                        "status",
                        "queued",
                        "duplicate",
                        false,
                        "correlation_id",
                        result.correlationId()));
    }

    /** {@code POST /slack/events}, through Bolt's verification (see {@link SlackDoor}). */
    Answer slack(String body, Map<String, List<String>> headers, String sourceIp) {
        if (slack.isEmpty()) {
            return Answer.error(404, "Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET");
        }
        if (body.length() > maxBodyBytes) {
            return Answer.error(413, "the body is larger than " + maxBodyBytes + " bytes");
        }
        SlackDoor.Answer a = slack.get().handle(body, headers, sourceIp);
        return new Answer(a.status(), a.contentType(), a.body());
    }

    /** Whether the work was new, and the correlation id it was queued under. */
    record Enqueued(boolean duplicate, String correlationId) {}

    /**
     * Records {@code key} once and queues its work. The item is "accepting" until the message is on the queue;
     * if the queue refuses, the item is removed again so the sender's retry is new. An item left "accepting"
     * (the ack died between its two writes) is taken over by a later delivery; the worker skips work that is
     * already done, so a takeover never doubles a reply.
     */
    Enqueued enqueueOnce(String key, Map<String, String> attributes, Function<String, WorkItem> work) {
        String cid = UUID.randomUUID().toString();
        Map<String, String> item = new java.util.HashMap<>(attributes);
        item.put("correlation_id", cid);
        item.put("status", "accepting");
        boolean first;
        try {
            first = state.putIfAbsent(key, StateTable.WORK_TTL, item);
        } catch (StateTable.Unavailable e) {
            metrics.serviceFailure("dynamodb", cid, e.getMessage());
            throw e;
        }
        if (!first) {
            Optional<StateTable.WorkState> known = state.work(key);
            boolean lost = known.isPresent()
                    && known.get().status().equals("accepting")
                    && known.get()
                            .createdAt()
                            .map(t -> t.plus(STALE_ACCEPT).isBefore(clock.instant()))
                            .orElse(false);
            if (!lost) {
                return new Enqueued(true, "");
            }
            log.warn("work {} was accepted but never queued; queuing it now", key);
        }
        try {
            queue.send(work.apply(cid));
        } catch (WorkQueue.Unavailable e) {
            metrics.serviceFailure("sqs", cid, e.getMessage());
            try {
                state.forget(key);
            } catch (StateTable.Unavailable again) {
                log.warn(
                        "cannot remove {} after the queue failed; a retry after {} s queues it",
                        key,
                        STALE_ACCEPT.toSeconds());
            }
            throw e;
        }
        try {
            state.queued(key);
        } catch (StateTable.Unavailable e) {
            // the work is on the queue: the answer is yes; the item stays "accepting" and a late duplicate
            // delivery would queue it again, which the worker recognises as done
            log.warn("work {} is queued but its state was not updated: {}", key, e.getMessage());
        }
        return new Enqueued(false, cid);
    }

    Instant now() {
        return clock.instant();
    }
}
