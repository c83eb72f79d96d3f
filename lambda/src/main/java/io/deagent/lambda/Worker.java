package io.deagent.lambda;

import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Investigator;
import io.deagent.llm.FollowUpAnswerer;
import io.deagent.slack.SlackWebApi;
import io.deagent.slack.reply.ReplyRenderer;
import io.deagent.slack.reply.SlackMessage;
import io.deagent.slack.reply.SlackMrkdwn;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Does one piece of work from the queue: investigates a failure with the same {@link Investigator} as
 * {@code serve}, counts its signature, and answers in the alert's Slack thread ("Investigating…" at once,
 * then updated in place with the diagnosis); or answers a follow-up question from a thread's diagnosis.
 *
 * <p>SQS delivers at least once, so every step can run again: work already done is skipped, a reply already
 * posted is updated rather than posted twice, and a signature is counted once per piece of work. Whatever
 * should be retried (DynamoDB down, Slack rate limiting or down, an investigation that threw) is thrown, and
 * the handler reports the message as failed; after {@code DE_AGENT_MAX_ATTEMPTS} receives the reply says the
 * investigation failed, and SQS moves the message to the dead-letter queue.
 */
final class Worker {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    private final StateTable state;
    private final Investigator investigator;
    private final Optional<SlackWebApi> slack;
    private final Optional<FollowUpAnswerer> answerer;
    private final EmfMetrics metrics;
    private final Clock clock;
    private final int maxAttempts;

    Worker(
            StateTable state,
            Investigator investigator,
            Optional<SlackWebApi> slack,
            Optional<FollowUpAnswerer> answerer,
            EmfMetrics metrics,
            Clock clock,
            int maxAttempts) {
        this.state = state;
        this.investigator = investigator;
        this.slack = slack;
        this.answerer = answerer;
        this.metrics = metrics;
        this.clock = clock;
        this.maxAttempts = maxAttempts;
    }

    boolean answersInSlack() {
        return slack.isPresent();
    }

    /**
     * Does {@code item}, delivered for the {@code receiveCount}th time.
     *
     * @throws RuntimeException when the message should be delivered again
     */
    void process(WorkItem item, int receiveCount) {
        MDC.put("correlation_id", item.correlationId());
        try {
            Optional<StateTable.WorkState> known = state.work(item.stateKey());
            if (known.map(k -> k.status().equals("done")).orElse(false)) {
                log.info("work {} is already done; delivery {} skipped", item.stateKey(), receiveCount);
                metrics.handled(item, "duplicate_delivery");
                return;
            }
            switch (item.kind()) {
                case FAILURE, SLACK_ALERT -> investigate(item, known, receiveCount);
                case SLACK_FOLLOW_UP -> followUp(item);
            }
        } finally {
            MDC.remove("correlation_id");
        }
    }

    private void investigate(WorkItem item, Optional<StateTable.WorkState> known, int receiveCount) {
        FailureEvent.Origin origin =
                item.kind() == WorkItem.Kind.FAILURE ? FailureEvent.Origin.AIRFLOW_WEBHOOK : FailureEvent.Origin.SLACK;
        // an event that does not parse never will: the failure sends the message to the dead-letter queue
        FailureEvent event = FailureEvents.parse(item.event().orElseThrow(), origin);
        Optional<String> replyTs = known.flatMap(StateTable.WorkState::replyTs);
        if (item.slack().isPresent() && slack.isPresent() && replyTs.isEmpty()) {
            WorkItem.SlackThread t = item.slack().get();
            SlackMessage m = ReplyRenderer.investigating(event);
            replyTs = slackCall(item, () -> slack.get().post(t.channel(), t.threadTs(), m.text(), m.blocksJson()));
            if (replyTs.isPresent()) {
                state.replyPosted(item.stateKey(), replyTs.get());
            }
        }
        Investigator.Investigation inv;
        try {
            inv = investigator.investigate(event, Investigator.LogFiles.IGNORE, Optional.empty());
        } catch (RuntimeException e) {
            String error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            if (receiveCount >= maxAttempts) {
                replyTs.ifPresent(ts -> tellFailed(item, event, ts, error));
            }
            throw e;
        }
        Diagnosis.Recurrence seen =
                state.countOnce(item.stateKey(), inv.diagnosis(), event.dagId(), event.taskId(), item.receivedAt());
        Diagnosis d = inv.diagnosis().withRecurrence(seen);
        if (item.slack().isPresent() && slack.isPresent() && replyTs.isPresent()) {
            WorkItem.SlackThread t = item.slack().get();
            SlackMessage m = ReplyRenderer.result(event, d, Optional.empty());
            String ts = replyTs.get();
            slackCall(item, () -> {
                slack.get().update(t.channel(), ts, m.text(), m.blocksJson());
                return ts;
            });
            state.thread(t.channel(), t.threadTs(), DiagnosisJson.write(d));
        }
        state.done(item.stateKey(), d, inv.elapsed().toMillis());
        metrics.investigated(item, event, inv, d);
    }

    private void followUp(WorkItem item) {
        WorkItem.SlackThread t = item.slack().orElseThrow();
        if (slack.isEmpty()) {
            log.warn("a follow-up question came in but SLACK_BOT_TOKEN is not set; it is not answered");
            state.markDone(item.stateKey());
            return;
        }
        Optional<Diagnosis> d = state.threadDiagnosis(t.channel(), t.threadTs()).map(DiagnosisJson::read);
        String question = item.question().orElse("").trim();
        String q = question.toLowerCase(Locale.ROOT);
        SlackMessage answer;
        if (d.isEmpty()) {
            answer = ReplyRenderer.help();
        } else if (q.startsWith("why")) {
            answer = ReplyRenderer.why(d.get());
        } else if (q.startsWith("log")) {
            answer = ReplyRenderer.logs(d.get());
        } else if (!q.isEmpty() && !q.startsWith("help") && answerer.isPresent()) {
            answer = answerer.get()
                    .answer(d.get(), question, new Budget(clock.instant().plusSeconds(25), 1 << 20, clock))
                    .map(text -> {
                        String body = SlackMrkdwn.neutralise(text);
                        return new SlackMessage(
                                body,
                                "[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":"
                                        + com.fasterxml.jackson.databind.node.TextNode.valueOf(body) + "}}]");
                    })
                    .orElse(ReplyRenderer.help());
        } else {
            answer = ReplyRenderer.help();
        }
        SlackMessage m = answer;
        slackCall(item, () -> slack.get().post(t.channel(), t.threadTs(), m.text(), m.blocksJson()));
        state.markDone(item.stateKey());
        metrics.handled(item, "follow_up_answered");
    }

    /** The last try failed: the thread says so instead of "Investigating…" forever. Best effort. */
    private void tellFailed(WorkItem item, FailureEvent event, String ts, String error) {
        WorkItem.SlackThread t = item.slack().orElseThrow();
        SlackMessage m = ReplyRenderer.failed(event, error);
        try {
            slack.orElseThrow().update(t.channel(), ts, m.text(), m.blocksJson());
        } catch (SlackWebApi.SlackCallException e) {
            log.warn("cannot tell the thread that the investigation failed: {}", e.getMessage());
        }
    }

    @FunctionalInterface
    private interface SlackCall {
        String run();
    }

    /**
     * A Slack call: rate limiting and outages are retried (the message fails and comes back after its visibility
     * timeout); a refusal no retry can fix ({@code invalid_auth}, {@code channel_not_found}) is logged with what
     * to do, and the work goes on without the reply.
     */
    private Optional<String> slackCall(WorkItem item, SlackCall call) {
        try {
            return Optional.of(call.run());
        } catch (SlackWebApi.Rejected e) {
            metrics.serviceFailure("slack", item.correlationId(), e.getMessage());
            log.error(
                    "Slack refused the reply for {}: {}; not retrying (check SLACK_BOT_TOKEN, the channel, and that"
                            + " the bot is invited)",
                    item.stateKey(),
                    e.getMessage());
            return Optional.empty();
        } catch (SlackWebApi.SlackCallException e) {
            metrics.serviceFailure("slack", item.correlationId(), e.getMessage());
            throw e;
        }
    }
}
