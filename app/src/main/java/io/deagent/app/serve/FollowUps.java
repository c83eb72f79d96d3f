package io.deagent.app.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.app.UsageException;
import io.deagent.app.store.IncidentStore;
import io.deagent.app.store.Outbox;
import io.deagent.app.store.Remediations;
import io.deagent.app.store.SlackRecords;
import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.fixer.FixProposal;
import io.deagent.publish.ChangePublisher;
import io.deagent.publish.PublishSettings;
import io.deagent.publish.notify.EmailNotifier;
import io.deagent.publish.notify.JiraNotifier;
import io.deagent.publish.notify.Notice;
import io.deagent.publish.notify.Notifier;
import io.deagent.publish.notify.PagerDutyNotifier;
import io.deagent.runtime.Config;
import io.deagent.slack.reply.SlackMrkdwn;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * What follows a diagnosis, off the request path and through the outbox, so a crash or a second replica never
 * loses or doubles it: the fix (a pull request, or a dry-run diff, see {@link ChangePublisher}), its link in
 * the Slack thread, e-mail, PagerDuty alerts (resolved when the task next succeeds) and Jira issues. Each is
 * off until configured.
 */
public final class FollowUps implements AutoCloseable {

    public static final String REMEDIATION = "remediation";
    public static final String EMAIL = "email";
    public static final String PAGERDUTY = "pagerduty";
    public static final String JIRA = "jira";
    static final String RESOLVE = "resolve";

    private static final Logger log = LoggerFactory.getLogger(FollowUps.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final int MAX_ATTEMPTS = 12;
    private static final int MAX_DIFF_CHARS = 2600;

    /** The configured integrations; each is empty when off. */
    public record Integrations(
            Optional<ChangePublisher> publisher,
            Optional<EmailNotifier> email,
            Optional<PagerDutyNotifier> pagerDuty,
            Optional<JiraNotifier> jira,
            PublishSettings settings) {

        public static Integrations from(Config config) {
            try {
                PublishSettings settings = PublishSettings.from(config::get);
                return new Integrations(
                        settings.enabled() ? Optional.of(new ChangePublisher(settings)) : Optional.empty(),
                        EmailNotifier.from(config::get),
                        PagerDutyNotifier.from(config::get),
                        JiraNotifier.from(config::get),
                        settings);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
        }

        public boolean any() {
            return publisher.isPresent() || email.isPresent() || pagerDuty.isPresent() || jira.isPresent();
        }

        /** The incident's page ({@code DE_AGENT_PUBLIC_URL/incidents/<id>}), for notices as for pull requests. */
        Optional<String> link(long id) {
            return settings.incidentLink(id);
        }
    }

    private final Integrations integrations;
    private final Outbox outbox;
    private final IncidentStore store;
    private final Remediations remediations;
    private final Optional<SlackRecords> slack;
    private final Runnable wakeSlack;
    private final Clock clock;
    private final String worker;
    private final OutboxLoop loop;

    public FollowUps(
            Integrations integrations,
            Outbox outbox,
            IncidentStore store,
            Remediations remediations,
            Optional<SlackRecords> slack,
            Runnable wakeSlack,
            Clock clock,
            Duration poll,
            String worker) {
        this.integrations = integrations;
        this.outbox = outbox;
        this.store = store;
        this.remediations = remediations;
        this.slack = slack;
        this.wakeSlack = wakeSlack;
        this.clock = clock;
        this.worker = worker;
        this.loop = new OutboxLoop(
                "de-agent-follow-ups",
                poll,
                () -> outbox.claim(worker, List.of(REMEDIATION, EMAIL, PAGERDUTY, JIRA), 4, clock.instant(), LEASE),
                this::process,
                Duration.ofSeconds(10));
    }

    /** The follow-ups of a new outcome, queued with it (see {@link IncidentStore#complete}). */
    public List<IncidentStore.FollowUp> after(Diagnosis d) {
        List<IncidentStore.FollowUp> out = new ArrayList<>();
        if (integrations.publisher().isPresent()) {
            out.add(new IncidentStore.FollowUp(REMEDIATION, REMEDIATION, REMEDIATION));
        } else if (integrations.email().isPresent()) {
            out.add(new IncidentStore.FollowUp(EMAIL, EMAIL, EMAIL));
        }
        if (integrations.pagerDuty().isPresent()) {
            out.add(new IncidentStore.FollowUp(PAGERDUTY, PAGERDUTY, "trigger"));
        }
        if (integrations.jira().isPresent()) {
            out.add(new IncidentStore.FollowUp(JIRA, JIRA, JIRA));
        }
        return out;
    }

    /** The task succeeded: its open PagerDuty alerts are resolved (through the outbox). Returns how many. */
    public int succeeded(String dagId, String taskId) {
        if (integrations.pagerDuty().isEmpty()) {
            return 0;
        }
        List<Remediations.Alert> open = remediations.open(PAGERDUTY, dagId, taskId);
        for (Remediations.Alert a : open) {
            outbox.enqueue(
                    a.incidentId(), PAGERDUTY, RESOLVE + ":" + a.dedupeKey(), RESOLVE, a.dedupeKey(), clock.instant());
        }
        if (!open.isEmpty()) {
            wake();
        }
        return open.size();
    }

    public void start() {
        loop.start();
    }

    public void wake() {
        loop.wake();
    }

    /** Carries out one follow-up and records what happened; never throws. */
    void process(Outbox.Pending p) {
        Optional<IncidentStore.Incident> incident = store.find(p.incidentId());
        if (incident.isEmpty() || incident.get().diagnosisJson().isEmpty()) {
            outbox.failed(p, worker, "the incident has no diagnosis", Optional.empty(), clock.instant());
            return;
        }
        MDC.put("correlation_id", incident.get().correlationId());
        MDC.put("incident_id", String.valueOf(p.incidentId()));
        try {
            FailureEvent event = FailureEvents.parse(incident.get().eventJson(), FailureEvent.Origin.AIRFLOW_WEBHOOK);
            Diagnosis d = DiagnosisJson.read(incident.get().diagnosisJson().get());
            String reference =
                    switch (p.channel()) {
                        case REMEDIATION -> remediate(p.incidentId(), event, d);
                        case EMAIL -> send(integrations.email(), notice(p.incidentId(), event, d));
                        case PAGERDUTY -> pagerDuty(p, event, d);
                        case JIRA -> jira(p.incidentId(), event, d);
                        default -> throw new IllegalStateException("no sender for channel " + p.channel());
                    };
            outbox.sent(p, worker, reference, clock.instant());
        } catch (Notifier.NotifyException e) {
            giveUpOrRetry(p, e.getMessage(), e.retriable());
        } catch (ChangePublisher.PublishException e) {
            giveUpOrRetry(p, e.getMessage(), e.retriable());
            if (!e.retriable() || p.attempts() + 1 >= MAX_ATTEMPTS) {
                recordFailure(p.incidentId(), e.getMessage());
            }
        } catch (RuntimeException e) {
            log.error("{} for incident {} failed: {}", p.channel(), p.incidentId(), e.toString(), e);
            giveUpOrRetry(p, e.toString(), true);
        } finally {
            MDC.remove("correlation_id");
            MDC.remove("incident_id");
        }
    }

    private String remediate(long id, FailureEvent event, Diagnosis d) throws ChangePublisher.PublishException {
        ChangePublisher.Outcome outcome = integrations.publisher().orElseThrow().publish(id, event, d);
        Instant now = clock.instant();
        Remediations.Remediation r =
                switch (outcome) {
                    case ChangePublisher.Opened o ->
                        new Remediations.Remediation(
                                id,
                                o.state(),
                                o.summary(),
                                Optional.of(o.pull().url()),
                                Optional.of(o.pull().number()),
                                Optional.of(o.branch()),
                                Optional.of(o.commit()),
                                Optional.of(o.proposal().codemodId()),
                                Optional.of(o.proposal().file()),
                                Optional.of(o.proposal().unifiedDiff()),
                                now);
                    case ChangePublisher.Commented c ->
                        new Remediations.Remediation(
                                id,
                                c.state(),
                                c.summary(),
                                Optional.of(c.pull().url()),
                                Optional.of(c.pull().number()),
                                Optional.of(c.branch()),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                now);
                    case ChangePublisher.DryRun dr ->
                        new Remediations.Remediation(
                                id,
                                dr.state(),
                                dr.summary(),
                                Optional.empty(),
                                Optional.empty(),
                                Optional.of(dr.branch()),
                                Optional.empty(),
                                Optional.of(dr.proposal().codemodId()),
                                Optional.of(dr.proposal().file()),
                                Optional.of(dr.proposal().unifiedDiff()),
                                now);
                    case ChangePublisher.Declined dc -> simple(id, dc.state(), dc.summary(), now);
                    case ChangePublisher.Skipped s -> simple(id, s.state(), s.summary(), now);
                };
        remediations.record(r);
        outbox.refreshThreadReplies(id, now);
        wakeSlack.run();
        log.info("remediation of incident {}: {}", id, r.summary());
        if (!(outcome instanceof ChangePublisher.Skipped) && !(outcome instanceof ChangePublisher.Declined)) {
            tellThreads(id, outcome);
        }
        if (integrations.email().isPresent()) {
            outbox.enqueue(id, EMAIL, EMAIL, EMAIL, "", now);
            wake();
        }
        return r.prUrl().orElse(r.state());
    }

    private void recordFailure(long id, String error) {
        remediations.record(simple(id, "failed", "The fix could not be published: " + error, clock.instant()));
        if (integrations.email().isPresent()) {
            outbox.enqueue(id, EMAIL, EMAIL, EMAIL, "", clock.instant());
        }
    }

    private static Remediations.Remediation simple(long id, String state, String summary, Instant now) {
        return new Remediations.Remediation(
                id,
                state,
                summary,
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                now);
    }

    /** The pull request link (or the dry-run diff) as a message in each thread the incident answers in. */
    private void tellThreads(long id, ChangePublisher.Outcome outcome) {
        if (slack.isEmpty()) {
            return;
        }
        String text;
        Optional<String> code = Optional.empty();
        switch (outcome) {
            case ChangePublisher.Opened o ->
                text = ":wrench: " + (o.pull().draft() ? "Draft pull request" : "Pull request")
                        + " <" + o.pull().url() + "|#" + o.pull().number() + ">: "
                        + SlackMrkdwn.neutralise(o.proposal().description()) + " in `"
                        + SlackMrkdwn.neutralise(o.proposal().file()) + "`. Review and merge it to apply the fix.";
            case ChangePublisher.Commented c ->
                text = ":repeat: This failure is already fixed in the open pull request <"
                        + c.pull().url() + "|#" + c.pull().number() + ">; noted there that it happened again.";
            case ChangePublisher.DryRun dr -> {
                text = ":mag: Dry run: " + SlackMrkdwn.neutralise(dr.proposal().description()) + " in `"
                        + SlackMrkdwn.neutralise(dr.proposal().file()) + "` (no branch pushed, no pull request):";
                code = Optional.of(diff(dr.proposal()));
            }
            default -> {
                return;
            }
        }
        ObjectNode payload = JSON.createObjectNode();
        ArrayNode blocks = JSON.createArrayNode();
        blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", text);
        code.ifPresent(c -> blocks.addObject()
                .put("type", "section")
                .putObject("text")
                .put("type", "mrkdwn")
                .put("text", "```" + c + "```"));
        payload.put("text", text);
        payload.put("blocks", blocks.toString());
        for (String[] thread : slack.get().threadsOf(id)) {
            outbox.enqueue(
                    id,
                    Outbox.SLACK,
                    thread[0] + "/" + thread[1] + "#fix",
                    Outbox.TEXT,
                    payload.toString(),
                    clock.instant());
        }
        wakeSlack.run();
    }

    private static String diff(FixProposal p) {
        String d = SlackMrkdwn.neutralise(p.unifiedDiff()).replace("```", "'''");
        return d.length() > MAX_DIFF_CHARS ? d.substring(0, MAX_DIFF_CHARS) + "\n… (cut)" : d;
    }

    private Notice notice(long id, FailureEvent event, Diagnosis d) {
        Optional<Remediations.Remediation> r = remediations.find(id);
        return new Notice(
                id,
                event,
                d,
                r.map(Remediations.Remediation::summary),
                r.flatMap(Remediations.Remediation::prUrl),
                integrations.link(id));
    }

    private static String send(Optional<? extends Notifier> notifier, Notice n) throws Notifier.NotifyException {
        return notifier.orElseThrow(() -> new IllegalStateException("not configured"))
                .send(n);
    }

    private String pagerDuty(Outbox.Pending p, FailureEvent event, Diagnosis d) throws Notifier.NotifyException {
        PagerDutyNotifier pd = integrations.pagerDuty().orElseThrow(() -> new IllegalStateException("not configured"));
        if (RESOLVE.equals(p.kind())) {
            String key = pd.resolve(p.payload());
            remediations.setState(PAGERDUTY, p.payload(), "resolved", clock.instant());
            return key;
        }
        Notice n = notice(p.incidentId(), event, d);
        String key = pd.send(n);
        remediations.raised(
                PAGERDUTY,
                n.alertKey(),
                p.incidentId(),
                event.dagId(),
                event.taskId(),
                key,
                "triggered",
                clock.instant());
        return key;
    }

    /** One Jira issue per task and failure kind: a recurrence finds the issue already raised. */
    private String jira(long id, FailureEvent event, Diagnosis d) throws Notifier.NotifyException {
        Notice n = notice(id, event, d);
        Optional<Remediations.Alert> existing = remediations.alert(JIRA, n.alertKey());
        if (existing.isPresent()) {
            return existing.get().reference().orElse("raised");
        }
        String key = integrations.jira().orElseThrow().send(n);
        remediations.raised(JIRA, n.alertKey(), id, event.dagId(), event.taskId(), key, "open", clock.instant());
        return key;
    }

    private void giveUpOrRetry(Outbox.Pending p, String error, boolean retriable) {
        if (!retriable || p.attempts() + 1 >= MAX_ATTEMPTS) {
            log.error("{} for incident {} gave up: {}", p.channel(), p.incidentId(), error);
            outbox.failed(p, worker, error, Optional.empty(), clock.instant());
        } else {
            Duration wait = SlackReplier.backoff(p.attempts());
            log.warn(
                    "{} for incident {} failed: {}; trying again in {} s",
                    p.channel(),
                    p.incidentId(),
                    error,
                    wait.toSeconds());
            outbox.failed(p, worker, error, Optional.of(clock.instant().plus(wait)), clock.instant());
        }
    }

    @Override
    public void close() {
        loop.close();
    }
}
