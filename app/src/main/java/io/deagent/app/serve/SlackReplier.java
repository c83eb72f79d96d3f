package io.deagent.app.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.app.store.IncidentStore;
import io.deagent.app.store.Outbox;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.slack.SlackWebApi;
import io.deagent.slack.reply.ReplyRenderer;
import io.deagent.slack.reply.SlackMessage;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Sends the outbox to Slack. A thread reply is rendered from the incident as it is now (investigating, the
 * diagnosis, or the failure), posted once and then updated in place. Slack being difficult is expected:
 * 429 waits for its {@code Retry-After}, network trouble and 5xx back off and try again, and an error no
 * retry can fix ({@code invalid_auth}, {@code channel_not_found}, …) stops that reply with a clear log line.
 */
final class SlackReplier implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SlackReplier.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final int MAX_ATTEMPTS = 40;

    private final Outbox outbox;
    private final IncidentStore store;
    private final SlackWebApi slack;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final Optional<String> publicUrl;
    private final String worker;
    private final Optional<io.deagent.llm.FollowUpAnswerer> answerer;
    private volatile Optional<io.deagent.app.store.Remediations> remediations = Optional.empty();
    private final OutboxLoop loop;

    SlackReplier(
            Outbox outbox,
            IncidentStore store,
            SlackWebApi slack,
            ServiceMetrics metrics,
            Clock clock,
            Optional<String> publicUrl,
            Duration poll,
            String worker,
            Optional<io.deagent.llm.FollowUpAnswerer> answerer) {
        this.outbox = outbox;
        this.store = store;
        this.slack = slack;
        this.metrics = metrics;
        this.clock = clock;
        this.publicUrl = publicUrl;
        this.worker = worker;
        this.answerer = answerer;
        this.loop = new OutboxLoop(
                "de-agent-slack-replies",
                poll,
                () -> outbox.claim(worker, 8, clock.instant(), LEASE),
                this::send,
                Duration.ofSeconds(5));
    }

    /** Thread replies show the incident's fix (its pull request) once there is one. */
    void remediations(io.deagent.app.store.Remediations r) {
        this.remediations = Optional.of(r);
    }

    /** The reply's line about the fix: the pull request, or the dry-run note; nothing for other outcomes. */
    static Optional<String> fixLine(io.deagent.app.store.Remediations.Remediation r) {
        if (r.prUrl().isPresent() && r.prNumber().isPresent()) {
            return Optional.of(":wrench: <" + r.prUrl().get() + "|Pull request #"
                    + r.prNumber().get() + ">"
                    + r.file()
                            .map(f -> " changes `" + io.deagent.slack.reply.SlackMrkdwn.neutralise(f) + "`")
                            .orElse("")
                    + ": review and merge it to apply the fix.");
        }
        if ("dry_run".equals(r.state())) {
            return Optional.of(
                    ":mag: " + io.deagent.slack.reply.SlackMrkdwn.neutralise(r.summary()) + " (diff in this thread)");
        }
        return Optional.empty();
    }

    void start() {
        loop.start();
    }

    void wake() {
        loop.wake();
    }

    /** Sends one reply and records what happened; never throws. */
    void send(Outbox.Pending p) {
        Map<String, String> where = SlackIntake.target(p.target());
        String channel = where.get("channel");
        Optional<IncidentStore.Incident> incident = store.find(p.incidentId());
        incident.ifPresent(i -> MDC.put("correlation_id", i.correlationId()));
        try {
            SlackMessage message = render(p, incident);
            String ts;
            if (p.messageTs().isPresent()) {
                slack.update(channel, p.messageTs().get(), message.text(), message.blocksJson());
                ts = p.messageTs().get();
            } else {
                ts = slack.post(channel, where.get("thread_ts"), message.text(), message.blocksJson());
            }
            outbox.sent(p, worker, ts, clock.instant());
            metrics.slackReply(p.messageTs().isPresent() ? "updated" : "posted");
        } catch (SlackWebApi.RateLimited e) {
            metrics.slackReply("rate_limited");
            log.warn(
                    "Slack rate limit: reply {} waits {} s",
                    p.id(),
                    e.retryAfter().toSeconds());
            retry(p, e.getMessage(), clock.instant().plus(e.retryAfter()));
        } catch (SlackWebApi.Rejected e) {
            metrics.slackReply("rejected");
            log.error(
                    "Slack refused reply {} for incident {} with {}: {}; not retrying",
                    p.id(),
                    p.incidentId(),
                    e.error(),
                    advice(e.error()));
            outbox.failed(
                    p, worker, e.getMessage() + " (" + advice(e.error()) + ")", Optional.empty(), clock.instant());
        } catch (SlackWebApi.Unavailable e) {
            metrics.slackReply("unavailable");
            Duration wait = backoff(p.attempts());
            log.warn(
                    "Slack unavailable for reply {}: {}; trying again in {} s",
                    p.id(),
                    e.getMessage(),
                    wait.toSeconds());
            retry(p, e.getMessage(), clock.instant().plus(wait));
        } catch (RuntimeException e) {
            log.error("cannot send reply {}: {}", p.id(), e.toString(), e);
            retry(p, e.toString(), clock.instant().plus(backoff(p.attempts())));
        } finally {
            MDC.remove("correlation_id");
        }
    }

    private void retry(Outbox.Pending p, String error, Instant at) {
        if (p.attempts() + 1 >= MAX_ATTEMPTS) {
            log.error("giving up on reply {} after {} attempts: {}", p.id(), MAX_ATTEMPTS, error);
            outbox.failed(p, worker, error, Optional.empty(), clock.instant());
        } else {
            outbox.failed(p, worker, error, Optional.of(at), clock.instant());
        }
    }

    static Duration backoff(int attempts) {
        long seconds = Math.min(300, 2L << Math.min(attempts, 8));
        return Duration.ofSeconds(seconds);
    }

    static String advice(String error) {
        return switch (error) {
            case "invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive" ->
                "check SLACK_BOT_TOKEN; run 'de-agent doctor'";
            case "channel_not_found" -> "the channel does not exist or the bot cannot see it; invite the bot";
            case "not_in_channel" -> "invite the bot to the channel (/invite @de-agent)";
            case "missing_scope", "no_permission" -> "reinstall the app with the scopes of deploy/slack_manifest.yaml";
            case "is_archived" -> "the channel is archived";
            default -> "see https://api.slack.com/methods for the error";
        };
    }

    private SlackMessage render(Outbox.Pending p, Optional<IncidentStore.Incident> found) {
        if (Outbox.QUESTION.equals(p.kind())) {
            return answer(p.payload(), found);
        }
        if (Outbox.TEXT.equals(p.kind())) {
            try {
                JsonNode payload = JSON.readTree(p.payload());
                return new SlackMessage(
                        payload.path("text").asText(), payload.path("blocks").asText("[]"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException("unreadable outbox payload " + p.id(), e);
            }
        }
        IncidentStore.Incident incident =
                found.orElseThrow(() -> new IllegalStateException("no incident " + p.incidentId()));
        FailureEvent event = FailureEvents.parse(incident.eventJson(), FailureEvent.Origin.SLACK);
        return switch (incident.status()) {
            case IncidentStore.DONE ->
                ReplyRenderer.result(
                        event,
                        DiagnosisJson.read(incident.diagnosisJson().orElseThrow()),
                        publicUrl.map(u -> u.replaceAll("/+$", "") + "/incidents/" + incident.id()),
                        remediations.flatMap(r -> r.find(incident.id())).flatMap(SlackReplier::fixLine));
            case IncidentStore.FAILED ->
                ReplyRenderer.failed(event, incident.error().orElse("unknown error"));
            default -> ReplyRenderer.investigating(event);
        };
    }

    /** A free question answered from the incident's diagnosis, or the help text when no answer comes. */
    private SlackMessage answer(String question, Optional<IncidentStore.Incident> incident) {
        Optional<io.deagent.core.Diagnosis> d =
                incident.flatMap(IncidentStore.Incident::diagnosisJson).map(DiagnosisJson::read);
        if (d.isEmpty() || answerer.isEmpty()) {
            return ReplyRenderer.help();
        }
        Optional<String> text = answerer.get()
                .answer(
                        d.get(),
                        question,
                        new io.deagent.core.investigate.Budget(clock.instant().plusSeconds(25), 1 << 20, clock));
        if (text.isEmpty()) {
            return ReplyRenderer.help();
        }
        String body = io.deagent.slack.reply.SlackMrkdwn.neutralise(text.get());
        String blocks = JSON.createArrayNode()
                .add(JSON.createObjectNode()
                        .put("type", "section")
                        .set(
                                "text",
                                JSON.createObjectNode().put("type", "mrkdwn").put("text", body)))
                .add(JSON.createObjectNode()
                        .put("type", "context")
                        .set(
                                "elements",
                                JSON.createArrayNode()
                                        .add(JSON.createObjectNode()
                                                .put("type", "mrkdwn")
                                                .put(
                                                        "text",
                                                        "answered by "
                                                                + d.get()
                                                                        .explainedBy()
                                                                        .replace("rules", "the LLM")
                                                                + " from this incident's diagnosis"))))
                .toString();
        return new SlackMessage(body, blocks);
    }

    @Override
    public void close() {
        loop.close();
    }
}
