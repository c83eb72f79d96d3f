package io.deagent.app.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.app.web.IncidentsPage;
import io.deagent.app.web.ListQuery;
import io.deagent.app.web.Patterns;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.runtime.EventJson;
import io.deagent.runtime.WebhookSignature;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP door: health, metrics, the incidents API and the Airflow webhook. It only translates requests;
 * the durable queue and the dispatcher do the work. An event is acknowledged only once it is committed to
 * the store, so a crash after the answer loses nothing.
 */
public final class HttpApi {

    private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final IncidentStore store;
    private final Database database;
    private final Optional<WebhookSignature> signature;
    private final ServiceMetrics metrics;
    private final Runnable onAccepted;
    private final Clock clock;
    private final int maxBodyBytes;
    private final Optional<String> apiToken;
    private final Optional<io.deagent.slack.SlackDoor> slack;
    private final Optional<io.deagent.app.store.SlackRecords> slackRecords;
    private final Optional<IncidentsPage> page;
    private volatile boolean stopping;
    private volatile Optional<io.deagent.app.store.Remediations> remediations = Optional.empty();
    private volatile java.util.function.ToIntBiFunction<String, String> onSuccess = (dag, task) -> 0;

    /** How much of an event's inline log each item of a list carries; one incident by id has all of it. */
    static final int LIST_LOG_CHARS = 4096;

    public HttpApi(
            IncidentStore store,
            Database database,
            Optional<WebhookSignature> signature,
            ServiceMetrics metrics,
            Runnable onAccepted,
            Clock clock,
            int maxBodyBytes,
            Optional<String> apiToken,
            Optional<io.deagent.slack.SlackDoor> slack,
            Optional<io.deagent.app.store.SlackRecords> slackRecords,
            Optional<IncidentsPage> page) {
        this.store = store;
        this.database = database;
        this.signature = signature;
        this.metrics = metrics;
        this.onAccepted = onAccepted;
        this.clock = clock;
        this.maxBodyBytes = maxBodyBytes;
        this.apiToken = apiToken;
        this.slack = slack;
        this.slackRecords = slackRecords;
        this.page = page;
    }

    /** Incidents carry their fix ({@code remediation}) when the store has one. */
    public HttpApi remediations(io.deagent.app.store.Remediations r) {
        this.remediations = Optional.of(r);
        return this;
    }

    /** What a success notice from Airflow does (resolves alerts); returns how many it resolved. */
    public HttpApi onSuccess(java.util.function.ToIntBiFunction<String, String> f) {
        this.onSuccess = f;
        return this;
    }

    /** The incident's fix as JSON, or nothing when there is none. */
    private ObjectNode withRemediation(ObjectNode o, long id) {
        return withRemediation(o, id, remediations);
    }

    /** Adds {@code remediation} to an incident's JSON when the store has one. */
    public static ObjectNode withRemediation(
            ObjectNode o, long id, Optional<io.deagent.app.store.Remediations> remediations) {
        remediations.flatMap(r -> r.find(id)).ifPresent(r -> {
            ObjectNode ro = o.putObject("remediation");
            ro.put("state", r.state());
            ro.put("summary", r.summary());
            ro.put("dry_run", "dry_run".equals(r.state()));
            r.prUrl().ifPresent(u -> ro.put("pr_url", u));
            r.prNumber().ifPresent(n -> ro.put("pr_number", n));
            r.branch().ifPresent(b -> ro.put("branch", b));
            r.commit().ifPresent(c -> ro.put("commit", c));
            r.codemod().ifPresent(c -> ro.put("codemod", c));
            r.file().ifPresent(f -> ro.put("file", f));
            r.diff().ifPresent(d -> ro.put("diff", d));
            ro.put("updated_at", r.updatedAt().toString());
        });
        return o;
    }

    /** Builds the Javalin server (not started). */
    public Javalin create(String host, int port) {
        return Javalin.create(config -> {
            config.jetty.host = host;
            config.jetty.port = port;
            // Jetty's own thread pool: with virtual threads, requests waited behind CPU-bound work and
            // blocking file I/O for the two carrier threads of a small machine (webhook ack p99 108 ms
            // instead of 30 ms at 100 requests/s, bench/load.sh)
            config.concurrency.useVirtualThreads = false;
            config.startup.showJavalinBanner = false;
            config.http.maxRequestSize = maxBodyBytes;
            config.routes.get("/healthz", ctx -> ok(ctx, Map.of("status", "ok")));
            config.routes.get("/readyz", this::ready);
            config.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
                    .result(metrics.scrape()));
            config.routes.before("/api/*", this::authorize);
            config.routes.get("/api/incidents", this::list);
            config.routes.get("/api/incidents/{id}", this::one);
            config.routes.post("/webhooks/airflow", this::webhook);
            config.routes.post("/slack/events", this::slackEvents);
            config.routes.get("/api/feedback", this::feedback);
            config.routes.get("/api/patterns", this::patterns);
            page.ifPresent(p -> p.routes(config.routes));
            config.routes.error(404, ctx -> {
                String type = ctx.res().getContentType();
                boolean html = type != null && type.startsWith("text/html");
                if (!html && (ctx.result() == null || !ctx.result().startsWith("{"))) {
                    error(ctx, 404, "no such route: " + ctx.method() + " " + ctx.path());
                }
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("request {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error; the server log has the details");
            });
        });
    }

    /** With {@code DE_AGENT_API_TOKEN} set, the incidents API wants {@code Authorization: Bearer <token>}. */
    private void authorize(Context ctx) {
        if (apiToken.isEmpty()) {
            return;
        }
        String given = ctx.header("Authorization");
        byte[] expected = ("Bearer " + apiToken.get()).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (given == null
                || !java.security.MessageDigest.isEqual(
                        expected, given.trim().getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            error(ctx, 401, "unauthorized");
            ctx.skipRemainingHandlers();
        }
    }

    private void slackEvents(Context ctx) throws IOException {
        if (slack.isEmpty()) {
            error(ctx, 404, "Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET");
            return;
        }
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                drain(in);
                error(ctx, 413, "the body is larger than " + maxBodyBytes + " bytes");
                return;
            }
        }
        java.util.Map<String, java.util.List<String>> headers = new java.util.HashMap<>();
        ctx.headerMap().forEach((k, v) -> headers.put(k, java.util.List.of(v)));
        io.deagent.slack.SlackDoor.Answer a;
        try {
            a = slack.get().handle(new String(body, java.nio.charset.StandardCharsets.UTF_8), headers, ctx.ip());
        } catch (RuntimeException e) {
            log.error("Slack request failed: {}", e.toString(), e);
            a = new io.deagent.slack.SlackDoor.Answer(500, "application/json", "{\"error\":\"internal error\"}");
        }
        ctx.status(a.status()).contentType(a.contentType()).result(a.body());
    }

    /** Reaction verdicts counted per category and per signature. */
    private void feedback(Context ctx) {
        ObjectNode out = JSON.createObjectNode();
        for (String by : new String[] {"category", "signature"}) {
            ObjectNode group = out.putObject("by_" + by);
            slackRecords.ifPresent(r -> r.feedback(by)
                    .forEach(t ->
                            group.putObject(t.key()).put("correct", t.correct()).put("wrong", t.wrong())));
        }
        ctx.contentType("application/json").result(out.toString());
    }

    /** From now on {@code /readyz} says no, so a load balancer stops sending while work drains. */
    public void stopping() {
        stopping = true;
    }

    private void ready(Context ctx) {
        if (stopping) {
            ctx.status(503).json(Map.of("status", "stopping"));
        } else if (!database.isReachable()) {
            ctx.status(503).json(Map.of("status", "unavailable", "reason", "the incident store does not answer"));
        } else {
            ok(ctx, Map.of("status", "ready"));
        }
    }

    private void webhook(Context ctx) throws IOException {
        String tooLarge = "the body is larger than " + maxBodyBytes + " bytes; send the tail of the log";
        String declared = ctx.header("Content-Length");
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            if (declared != null && declared.matches("\\d{1,18}") && Long.parseLong(declared) > maxBodyBytes) {
                drain(in);
                reject(ctx, 413, "too_large", tooLarge);
                return;
            }
            body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                drain(in);
                reject(ctx, 413, "too_large", tooLarge);
                return;
            }
        }
        if (signature.isEmpty()) {
            log.warn("webhook request refused: DE_AGENT_WEBHOOK_SECRET is not set, so no request can be verified");
            reject(ctx, 401, "unauthorized", "unauthorized");
            return;
        }
        WebhookSignature.Verdict verdict = signature
                .get()
                .verify(
                        ctx.header(WebhookSignature.TIMESTAMP_HEADER),
                        ctx.header(WebhookSignature.SIGNATURE_HEADER),
                        body,
                        clock.instant());
        if (verdict != WebhookSignature.Verdict.VALID) {
            log.warn("webhook request refused: {} (from {})", verdict, ctx.ip());
            reject(ctx, 401, "unauthorized", "unauthorized");
            return;
        }
        String redacted;
        FailureEvent event;
        try {
            redacted = EventJson.redacted(body);
            event = FailureEvents.parse(redacted, FailureEvent.Origin.AIRFLOW_WEBHOOK);
        } catch (FailureEvents.InvalidEventException e) {
            reject(ctx, 400, "bad_request", e.getMessage());
            return;
        }
        if ("success".equals(String.valueOf(event.raw().get("state")))) {
            int resolved;
            try {
                resolved = onSuccess.applyAsInt(event.dagId(), event.taskId());
            } catch (RuntimeException e) {
                log.error("cannot record the success of {}.{}: {}", event.dagId(), event.taskId(), e.getMessage());
                reject(ctx, 503, "store_unavailable", "the incident store is unavailable; retry shortly");
                return;
            }
            metrics.webhook("success");
            log.info("{}.{} succeeded; {} open alert(s) to resolve", event.dagId(), event.taskId(), resolved);
            ObjectNode ok = JSON.createObjectNode();
            ok.put("state", "success");
            ok.put("alerts_resolved", resolved);
            ctx.status(200).contentType("application/json").result(ok.toString());
            return;
        }
        IncidentStore.Accepted accepted;
        try {
            accepted = store.accept(event, redacted, clock.instant());
        } catch (RuntimeException e) {
            log.error("cannot record a webhook event for {}.{}: {}", event.dagId(), event.taskId(), e.getMessage());
            reject(ctx, 503, "store_unavailable", "the incident store is unavailable; retry shortly");
            return;
        }
        MDC.put("correlation_id", accepted.correlationId());
        try {
            if (accepted.duplicate()) {
                metrics.webhook("duplicate");
                log.info("duplicate delivery of incident {} ({}.{})", accepted.id(), event.dagId(), event.taskId());
            } else {
                metrics.webhook("accepted");
                log.info("accepted incident {} for {}.{}", accepted.id(), event.dagId(), event.taskId());
                onAccepted.run();
            }
        } finally {
            MDC.remove("correlation_id");
        }
        ObjectNode out = JSON.createObjectNode();
        out.put("id", accepted.id());
        out.put("status", accepted.status());
        out.put("duplicate", accepted.duplicate());
        out.put("correlation_id", accepted.correlationId());
        ctx.status(accepted.duplicate() ? 200 : 202)
                .contentType("application/json")
                .result(out.toString());
    }

    /**
     * Reads and drops what is left of an oversized body (up to a bound), so the client has sent it all and
     * can read the 413; a client still writing when the connection closes sees a reset instead.
     */
    private void drain(InputStream in) throws IOException {
        long limit = 16L * maxBodyBytes;
        byte[] sink = new byte[64 * 1024];
        long read = 0;
        int n;
        while (read < limit && (n = in.read(sink)) > 0) {
            read += n;
        }
    }

    private void reject(Context ctx, int status, String outcome, String message) {
        metrics.webhook(outcome);
        error(ctx, status, message);
    }

    /**
     * Newest first, filtered by {@code dag_id}, {@code task_id}, {@code category}, {@code status},
     * {@code since} and {@code until} (ISO-8601), a page of {@code limit} at a time from {@code cursor}.
     */
    private void list(Context ctx) {
        ListQuery.Parsed parsed = ListQuery.parse(ctx::queryParam, 50);
        if (parsed instanceof ListQuery.Bad bad) {
            error(ctx, 400, bad.message());
            return;
        }
        ListQuery.Ok q = (ListQuery.Ok) parsed;
        IncidentStore.Page page = store.list(q.limit(), q.filter(), q.cursor());
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("incidents");
        page.incidents().forEach(i -> items.add(withRemediation(json(i, false), i.id())));
        if (page.next().isPresent()) {
            out.put("next", String.valueOf(page.next().get()));
        } else {
            out.putNull("next");
        }
        ctx.contentType("application/json").result(out.toString());
    }

    /** Failures per day and category, recurring signatures and feedback accuracy over {@code ?days=} (14). */
    private void patterns(Context ctx) {
        int days;
        try {
            days = Patterns.days(ctx::queryParam);
        } catch (IllegalArgumentException e) {
            error(ctx, 400, e.getMessage());
            return;
        }
        ctx.contentType("application/json")
                .result(Patterns.load(store, days, clock).json().toString());
    }

    private void one(Context ctx) {
        String id = ctx.pathParam("id");
        if (!id.matches("\\d{1,18}")) {
            error(ctx, 400, "an incident id is a number, got '" + id + "'");
            return;
        }
        Optional<IncidentStore.Incident> found = store.find(Long.parseLong(id));
        if (found.isEmpty()) {
            error(ctx, 404, "no incident " + id);
            return;
        }
        ctx.contentType("application/json")
                .result(withRemediation(json(found.get(), true), found.get().id())
                        .toString());
    }

    /**
     * One incident as JSON. In a list ({@code full} false) the event's inline log is cut to its last 4 KB,
     * with {@code log_chars_omitted}, so a page of 500 incidents stays small.
     */
    public static ObjectNode json(IncidentStore.Incident i, boolean full) {
        ObjectNode o = JSON.createObjectNode();
        o.put("id", i.id());
        o.put("status", i.status());
        o.put("received_at", i.receivedAt().toString());
        o.put("correlation_id", i.correlationId());
        o.put("deliveries", i.deliveries());
        o.put("attempts", i.attempts());
        JsonNode event = parse(i.eventJson());
        if (!full && event.isObject() && event.path("log").isTextual()) {
            String log = event.get("log").asText();
            if (log.length() > LIST_LOG_CHARS) {
                ((ObjectNode) event).put("log", log.substring(log.length() - LIST_LOG_CHARS));
                ((ObjectNode) event).put("log_chars_omitted", log.length() - LIST_LOG_CHARS);
            }
        }
        o.set("event", event);
        o.set("diagnosis", i.diagnosisJson().map(HttpApi::parse).orElse(null));
        ObjectNode timings = o.putObject("timings");
        i.startedAt().ifPresent(t -> timings.put("started_at", t.toString()));
        i.finishedAt().ifPresent(t -> timings.put("finished_at", t.toString()));
        i.diagnosticMs().ifPresent(ms -> timings.put("diagnostic_ms", ms));
        i.startedAt()
                .ifPresent(t -> timings.put(
                        "queued_ms",
                        Math.max(
                                0, java.time.Duration.between(i.receivedAt(), t).toMillis())));
        i.error().ifPresent(e -> o.put("error", e));
        i.stepsJson().map(HttpApi::parse).filter(JsonNode::isObject).ifPresent(s -> o.set("investigation", s));
        o.put("signature_seen", i.signatureSeen());
        o.putObject("feedback")
                .put("correct", i.feedback().correct())
                .put("wrong", i.feedback().wrong());
        ArrayNode replies = o.putArray("replies");
        for (IncidentStore.Reply r : i.replies()) {
            ObjectNode ro = replies.addObject();
            ro.put("channel", r.channel());
            ro.put("target", r.target());
            ro.put("status", r.status());
            ro.put("attempts", r.attempts());
            r.messageTs().ifPresent(ts -> ro.put("message_ts", ts));
            r.sentAt().ifPresent(t -> ro.put("sent_at", t.toString()));
            r.lastError().ifPresent(e -> ro.put("last_error", e));
        }
        return o;
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return TextNode.valueOf(json);
        }
    }

    private static void ok(Context ctx, Map<String, ?> body) {
        ctx.status(200).json(body);
    }

    private static void error(Context ctx, int status, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        ctx.status(status).contentType("application/json").result(o.toString());
    }
}
