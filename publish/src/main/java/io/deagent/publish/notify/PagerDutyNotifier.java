package io.deagent.publish.notify;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.Diagnosis;
import java.net.URI;
import java.util.Optional;
import java.util.function.Function;

/**
 * PagerDuty Events API v2: a {@code trigger} per diagnosed failure with a {@code dedup_key} made of the task and
 * the failure signature (so a recurrence joins the open alert), and a {@code resolve} with the same key when
 * the task next succeeds. {@code PAGERDUTY_ROUTING_KEY} (the integration key) turns it on;
 * {@code PAGERDUTY_EVENTS_URL} overrides {@code https://events.pagerduty.com/v2/enqueue}.
 */
public final class PagerDutyNotifier implements Notifier {

    public static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";

    private final String routingKey;
    private final URI url;

    PagerDutyNotifier(String routingKey, URI url) {
        this.routingKey = routingKey;
        this.url = url;
    }

    public static Optional<PagerDutyNotifier> from(Function<String, Optional<String>> config) {
        Optional<String> key = config.apply("PAGERDUTY_ROUTING_KEY").filter(s -> !s.isBlank());
        if (key.isEmpty()) {
            return Optional.empty();
        }
        if (!key.get().trim().matches("[A-Za-z0-9]{32}")) {
            throw new IllegalArgumentException(
                    "PAGERDUTY_ROUTING_KEY is not a 32-character integration key (Events API v2)");
        }
        return Optional.of(new PagerDutyNotifier(
                key.get().trim(),
                URI.create(config.apply("PAGERDUTY_EVENTS_URL")
                        .filter(s -> !s.isBlank())
                        .orElse(DEFAULT_URL))));
    }

    @Override
    public String name() {
        return "pagerduty";
    }

    /** Triggers (or adds to) the alert of this task and failure kind. */
    @Override
    public String send(Notice n) throws NotifyException {
        Diagnosis d = n.diagnosis();
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("routing_key", routingKey);
        body.put("event_action", "trigger");
        body.put("dedup_key", n.alertKey());
        ObjectNode payload = body.putObject("payload");
        String summary = n.subject().replaceFirst("^\\[de-agent\\] ", "");
        payload.put("summary", summary.length() > 1024 ? summary.substring(0, 1024) : summary);
        payload.put("source", n.event().dagId() + "." + n.event().taskId());
        payload.put("severity", "error");
        payload.put("component", n.event().taskId());
        payload.put("group", n.event().dagId());
        payload.put("class", d.category());
        ObjectNode details = payload.putObject("custom_details");
        details.put("category", d.category());
        details.put("confidence", d.confidence());
        details.put("fix", d.fix().summary());
        details.put("signature", d.signature());
        details.put("incident", n.incidentId());
        n.event().runId().ifPresent(r -> details.put("run_id", r));
        n.fixSummary().ifPresent(s -> details.put("remediation", s));
        ArrayNode links = body.putArray("links");
        n.pullRequestUrl().ifPresent(u -> links.addObject().put("href", u).put("text", "Pull request with the fix"));
        n.event().logUrl().ifPresent(u -> links.addObject().put("href", u).put("text", "Airflow task log"));
        n.incidentLink().ifPresent(u -> links.addObject().put("href", u).put("text", "de-agent incident"));
        body.put("client", "de-agent");
        return enqueue(body);
    }

    /** Resolves the alert with {@code dedupKey}: the task ran successfully again. */
    public String resolve(String dedupKey) throws NotifyException {
        ObjectNode body = Http.JSON.createObjectNode();
        body.put("routing_key", routingKey);
        body.put("event_action", "resolve");
        body.put("dedup_key", dedupKey);
        return enqueue(body);
    }

    private String enqueue(ObjectNode body) throws NotifyException {
        Http.Answer a = Http.send("PagerDuty", Http.postJson(url, body));
        if (a.status() == 202 || a.status() == 200) {
            return a.json().path("dedup_key").asText(body.path("dedup_key").asText());
        }
        String detail = "PagerDuty answered " + a.status() + ": " + Http.shorten(a.body());
        if (a.status() == 429 || a.status() >= 500) {
            throw new NotifyException(detail, true, null);
        }
        throw new NotifyException(detail + " (check PAGERDUTY_ROUTING_KEY)", false, null);
    }

    @Override
    public String check() {
        return "routing key set; PagerDuty has no test call that sends nothing, so the first alert proves it";
    }
}
