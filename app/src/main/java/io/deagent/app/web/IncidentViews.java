package io.deagent.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.core.Redactor;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the page shows of an incident, read from the same JSON {@code /api/incidents} serves, so the page
 * and the API never disagree and what the API gains (a remediation, say) the page can show. Every text is
 * escaped by the templates; free texts that did not come through the diagnosis are redacted once more.
 */
public final class IncidentViews {

    private final Optional<URI> slackWorkspace;

    IncidentViews(Optional<URI> slackWorkspace) {
        this.slackWorkspace = slackWorkspace;
    }

    /** A category label and its meaning. */
    public record Category(String label, String words) {}

    /** Where to look further: the Airflow log, the Slack thread, the pull request. */
    public record Links(String airflow, String slackUrl, String slackText, String prUrl, String prText) {}

    /** One line of the list. */
    public record Row(
            long id,
            String href,
            Display.Time received,
            String dagId,
            String taskId,
            String status,
            boolean diagnosed,
            Category category,
            String title,
            String confidence,
            int seen,
            boolean recurring,
            long correct,
            long wrong,
            boolean hasFeedback,
            Links links) {

        public boolean rightAndWrong() {
            return correct > 0 && wrong > 0;
        }
    }

    Row row(JsonNode i) {
        JsonNode d = i.path("diagnosis");
        JsonNode e = i.path("event");
        String category = d.path("category").asText("");
        JsonNode fb = i.path("feedback");
        int seen = i.path("signature_seen").asInt(0);
        return new Row(
                i.path("id").asLong(),
                "/incidents/" + i.path("id").asLong(),
                Display.time(i.path("received_at").asText()).orElse(new Display.Time("", "")),
                e.path("dag_id").asText(""),
                e.path("task_id").asText(""),
                i.path("status").asText(""),
                d.isObject(),
                new Category(category, category.isEmpty() ? "" : Display.categoryWords(category)),
                d.path("title").asText(""),
                d.path("confidence").isNumber()
                        ? Display.percent(d.path("confidence").asDouble())
                        : "",
                seen,
                seen > 1,
                fb.path("correct").asLong(0),
                fb.path("wrong").asLong(0),
                fb.path("correct").asLong(0) + fb.path("wrong").asLong(0) > 0,
                links(i));
    }

    /** Proof lines of one source. */
    public record ProofGroup(String source, List<ProofLine> lines) {}

    public record ProofLine(String line, String text) {}

    /** One source the investigation asked. */
    public record SourceRow(
            String source, String status, String statusClass, String took, String detail, String link) {}

    /** One step of the investigation and its time. */
    public record Step(String name, String at, String atIso, String took, String note) {}

    public record Field(String name, String value) {}

    /** The remedy. */
    public record Fix(String fixClass, String words, String summary, List<String> steps, String codemod) {}

    /** The automatic remediation, when one was made (a pull request or a dry run). */
    public record Remediation(String state, String prUrl, String branch, String codemod, boolean dryRun) {}

    /** Who explained the diagnosis, and what the model cost. */
    public record Explanation(
            String by, boolean model, String ruleId, String tokens, String cost, boolean cached, String fallback) {}

    /** The diagnosis part of an incident. */
    public record Diagnosis(
            String title,
            String summary,
            Category category,
            String confidence,
            String layer,
            String transience,
            String signature,
            String rootCause,
            String rootCauseLine,
            int seenThen,
            int seenNow,
            String firstSeen,
            List<Field> entities) {}

    /** An incident in full. */
    public record Detail(
            long id,
            String heading,
            String dagId,
            String taskId,
            String runId,
            String status,
            Display.Time received,
            int deliveries,
            Diagnosis diagnosis,
            List<ProofGroup> proof,
            List<SourceRow> sources,
            List<String> missing,
            Fix fix,
            Remediation remediation,
            Explanation explanation,
            List<Step> timings,
            long correct,
            long wrong,
            List<Field> event,
            String logTail,
            String logNote,
            String error,
            Links links) {}

    static final int LOG_TAIL_LINES = 200;

    Detail detail(JsonNode i) {
        JsonNode d = i.path("diagnosis");
        JsonNode e = i.path("event");
        String dag = e.path("dag_id").asText("");
        String task = e.path("task_id").asText("");
        Diagnosis diagnosis = null;
        Fix fix = null;
        Explanation explanation = null;
        List<ProofGroup> proof = List.of();
        List<String> missing = List.of();
        if (d.isObject()) {
            String category = d.path("category").asText("");
            JsonNode root = d.path("root_cause");
            List<Field> entities = new ArrayList<>();
            d.path("entities")
                    .properties()
                    .forEach(en ->
                            entities.add(new Field(en.getKey(), en.getValue().asText())));
            diagnosis = new Diagnosis(
                    d.path("title").asText(""),
                    d.path("summary").asText(""),
                    new Category(category, Display.categoryWords(category)),
                    d.path("confidence").isNumber()
                            ? Display.percent(d.path("confidence").asDouble())
                            : "",
                    d.path("layer").asText(""),
                    d.path("transience").asText(""),
                    d.path("signature").asText(""),
                    root.isObject()
                            ? (root.path("exception").asText("") + ": "
                                    + root.path("message").asText(""))
                            : "",
                    root.path("line").asInt(0) > 0
                            ? String.valueOf(root.path("line").asInt())
                            : "",
                    d.path("recurrence").path("seen").asInt(0),
                    i.path("signature_seen").asInt(0),
                    Display.time(d.path("recurrence").path("first_seen").asText(""))
                            .map(Display.Time::text)
                            .orElse(""),
                    entities);
            proof = proof(d.path("evidence"));
            missing = texts(d.path("missing_evidence"));
            JsonNode f = d.path("fix");
            String fixClass = f.path("class").asText("");
            fix = new Fix(
                    fixClass,
                    Display.fixWords(fixClass),
                    f.path("summary").asText(""),
                    texts(f.path("steps")),
                    f.path("codemod").isTextual() ? f.path("codemod").asText() : "");
            explanation = explanation(d, i.path("investigation").path("explanation"));
        }
        JsonNode r = i.path("remediation");
        Remediation remediation = r.isObject()
                ? new Remediation(
                        r.path("state").asText(""),
                        Display.safeLink(r.path("pr_url").asText("")),
                        r.path("branch").asText(""),
                        r.path("codemod").asText(""),
                        r.path("dry_run").asBoolean(false))
                : null;
        String log = e.path("log").asText("");
        List<String> lines = log.lines().toList();
        String tail = String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        String logNote = lines.size() > LOG_TAIL_LINES
                ? "the last " + LOG_TAIL_LINES + " of " + lines.size() + " lines"
                : lines.isEmpty() ? "" : lines.size() + " lines";
        return new Detail(
                i.path("id").asLong(),
                d.path("title").asText(dag + "." + task),
                dag,
                task,
                e.path("run_id").asText(""),
                i.path("status").asText(""),
                Display.time(i.path("received_at").asText()).orElse(new Display.Time("", "")),
                i.path("deliveries").asInt(1),
                diagnosis,
                proof,
                sources(i.path("investigation").path("sources")),
                missing,
                fix,
                remediation,
                explanation,
                timings(i),
                i.path("feedback").path("correct").asLong(0),
                i.path("feedback").path("wrong").asLong(0),
                eventFields(e),
                tail,
                logNote,
                i.path("error").isTextual() ? Redactor.redact(i.path("error").asText()) : "",
                links(i));
    }

    private static List<ProofGroup> proof(JsonNode evidence) {
        Map<String, List<ProofLine>> groups = new LinkedHashMap<>();
        for (JsonNode l : evidence) {
            int n = l.path("line").asInt(0);
            groups.computeIfAbsent(l.path("source").asText("log"), k -> new ArrayList<>())
                    .add(new ProofLine(
                            n > 0 ? String.valueOf(n) : "", l.path("text").asText("")));
        }
        List<ProofGroup> out = new ArrayList<>();
        groups.forEach((s, ls) -> out.add(new ProofGroup(s, List.copyOf(ls))));
        return out;
    }

    private static List<SourceRow> sources(JsonNode sources) {
        List<SourceRow> out = new ArrayList<>();
        for (JsonNode s : sources) {
            String status = s.path("status").asText("");
            String detail = s.path("error").isTextual()
                    ? Redactor.redact(s.path("error").asText())
                    : "";
            if (detail.isEmpty() && status.equals("OK")) {
                List<String> got = new ArrayList<>();
                if (s.path("log_chars").asLong(0) > 0) {
                    got.add("log, " + s.path("log_chars").asLong() + " characters");
                }
                if (s.path("facts").asInt(0) > 0) {
                    got.add(s.path("facts").asInt() + " facts");
                }
                detail = String.join("; ", got);
            }
            out.add(new SourceRow(
                    s.path("source").asText(""),
                    status.toLowerCase(Locale.ROOT).replace('_', ' '),
                    switch (status) {
                        case "OK" -> "ok";
                        case "SKIPPED" -> "skipped";
                        default -> "missing";
                    },
                    s.path("elapsed_ms").isNumber()
                            ? Display.duration(s.path("elapsed_ms").asLong())
                            : "",
                    detail,
                    Display.safeLink(s.path("link").asText(""))));
        }
        return out;
    }

    private static Explanation explanation(JsonNode d, JsonNode x) {
        String by = d.path("explained_by").asText("rules");
        long in = x.path("tokens_in").asLong(0);
        long out = x.path("tokens_out").asLong(0);
        return new Explanation(
                by,
                !by.equals("rules"),
                d.path("rule_id").asText(""),
                in + out > 0 ? in + " in, " + out + " out" : "",
                x.path("cost_usd").asDouble(0) > 0
                        ? String.format(Locale.ROOT, "$%.4f", x.path("cost_usd").asDouble())
                        : "",
                x.path("cached").asBoolean(false),
                x.path("fallback").isTextual()
                        ? Redactor.redact(x.path("fallback").asText())
                        : "");
    }

    private static List<Step> timings(JsonNode i) {
        List<Step> steps = new ArrayList<>();
        Optional<Instant> received = instant(i.path("received_at"));
        JsonNode t = i.path("timings");
        Optional<Instant> started = instant(t.path("started_at"));
        Optional<Instant> finished = instant(t.path("finished_at"));
        int deliveries = i.path("deliveries").asInt(1);
        steps.add(step(
                "Received",
                received,
                "",
                deliveries > 1 ? "delivered " + deliveries + " times (the same failure, counted once)" : ""));
        if (received.isPresent() && started.isPresent()) {
            steps.add(step("Waited in the queue", started, between(received.get(), started.get()), ""));
        }
        for (JsonNode s : i.path("investigation").path("sources")) {
            steps.add(new Step(
                    "Asked " + s.path("source").asText(""),
                    "",
                    "",
                    s.path("elapsed_ms").isNumber()
                            ? Display.duration(s.path("elapsed_ms").asLong())
                            : "",
                    s.path("status").asText("").toLowerCase(Locale.ROOT).replace('_', ' ')));
        }
        if (t.path("diagnostic_ms").isNumber()) {
            String from = i.path("investigation").path("log_source").asText("");
            steps.add(new Step(
                    "Investigated: evidence, log, rules and explanation",
                    "",
                    "",
                    Display.duration(t.path("diagnostic_ms").asLong()),
                    from.isEmpty() ? "" : "log read from " + from));
        }
        if (finished.isPresent()) {
            String status = i.path("status").asText("");
            steps.add(step(
                    status.equals("failed") ? "Gave up" : "Diagnosed",
                    finished,
                    received.map(r -> between(r, finished.get())).orElse(""),
                    "from receipt"));
        }
        for (JsonNode reply : i.path("replies")) {
            Optional<Instant> sent = instant(reply.path("sent_at"));
            if (sent.isPresent()) {
                steps.add(step(
                        "Answered in "
                                + (reply.path("channel").asText("").equals("slack")
                                        ? "Slack"
                                        : reply.path("channel").asText("")),
                        sent,
                        received.map(r -> between(r, sent.get())).orElse(""),
                        "from receipt"));
            }
        }
        return steps;
    }

    private static Step step(String name, Optional<Instant> at, String took, String note) {
        return new Step(
                name,
                at.map(a -> Display.time(a).text()).orElse(""),
                at.map(Instant::toString).orElse(""),
                took,
                note);
    }

    private static String between(Instant a, Instant b) {
        return Display.duration(Math.max(0, Duration.between(a, b).toMillis()));
    }

    private static Optional<Instant> instant(JsonNode n) {
        if (!n.isTextual()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(n.asText()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static final List<String> EVENT_FIELDS =
            List.of("logical_date", "try_number", "max_tries", "operator", "owner", "hostname", "exception");

    private static List<Field> eventFields(JsonNode e) {
        List<Field> out = new ArrayList<>();
        for (String f : EVENT_FIELDS) {
            JsonNode v = e.path(f);
            if (v.isValueNode() && !v.isNull() && !v.asText().isEmpty()) {
                out.add(new Field(f, v.asText()));
            }
        }
        if (e.path("tags").isArray() && !e.path("tags").isEmpty()) {
            out.add(new Field("tags", String.join(", ", texts(e.path("tags")))));
        }
        return out;
    }

    private Links links(JsonNode i) {
        String airflow = Display.safeLink(i.path("event").path("log_url").asText(""));
        String slackUrl = "";
        String slackText = "";
        for (JsonNode reply : i.path("replies")) {
            if (!reply.path("channel").asText("").equals("slack")) {
                continue;
            }
            String target = reply.path("target").asText("");
            int slash = target.indexOf('/');
            int hash = target.indexOf('#');
            String channel = slash < 0 ? (hash < 0 ? target : target.substring(0, hash)) : target.substring(0, slash);
            String ts = slash < 0 ? "" : target.substring(slash + 1, hash < 0 ? target.length() : hash);
            if (channel.isEmpty() || !channel.matches("[A-Za-z0-9]+") || !ts.matches("\\d+\\.\\d+")) {
                continue;
            }
            slackText = "#" + channel + " · " + ts;
            if (slackWorkspace.isPresent()) {
                slackUrl = slackWorkspace.get() + "/archives/" + channel + "/p" + ts.replace(".", "");
            }
            break;
        }
        JsonNode r = i.path("remediation");
        String prUrl = r.isObject() ? Display.safeLink(r.path("pr_url").asText("")) : "";
        String prText = r.isObject() ? r.path("state").asText("") : "";
        return new Links(airflow, slackUrl, slackText, prUrl, prText);
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
