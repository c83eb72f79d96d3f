package io.deagent.app.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
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
import java.util.Set;
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
    private static final Set<String> STATUSES = Set.of("queued", "investigating", "done", "failed");

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
    private volatile boolean stopping;

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
            Optional<io.deagent.app.store.SlackRecords> slackRecords) {
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
            config.routes.error(404, ctx -> {
                if (ctx.result() == null || !ctx.result().startsWith("{")) {
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

    private void list(Context ctx) {
        int limit = 50;
        String l = ctx.queryParam("limit");
        if (l != null) {
            if (!l.matches("\\d{1,4}") || Integer.parseInt(l) < 1 || Integer.parseInt(l) > 500) {
                error(ctx, 400, "limit must be a whole number from 1 to 500");
                return;
            }
            limit = Integer.parseInt(l);
        }
        String status = ctx.queryParam("status");
        if (status != null && !STATUSES.contains(status)) {
            error(ctx, 400, "status must be one of queued, investigating, done, failed");
            return;
        }
        String cursor = ctx.queryParam("cursor");
        if (cursor != null && !cursor.matches("\\d{1,18}")) {
            error(ctx, 400, "cursor must be the \"next\" value of the previous page");
            return;
        }
        IncidentStore.Page page = store.list(
                limit, Optional.ofNullable(status), Optional.ofNullable(cursor).map(Long::parseLong));
        ObjectNode out = JSON.createObjectNode();
        ArrayNode items = out.putArray("incidents");
        page.incidents().forEach(i -> items.add(json(i, false)));
        if (page.next().isPresent()) {
            out.put("next", String.valueOf(page.next().get()));
        } else {
            out.putNull("next");
        }
        ctx.contentType("application/json").result(out.toString());
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
        ctx.contentType("application/json").result(json(found.get(), true).toString());
    }

    /**
     * One incident as JSON. In a list ({@code full} false) the event's inline log is cut to its last 4 KB,
     * with {@code log_chars_omitted}, so a page of 500 incidents stays small.
     */
    static ObjectNode json(IncidentStore.Incident i, boolean full) {
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
        i.error().ifPresent(e -> o.put("error", e));
        ArrayNode replies = o.putArray("replies");
        for (IncidentStore.Reply r : i.replies()) {
            ObjectNode ro = replies.addObject();
            ro.put("channel", r.channel());
            ro.put("target", r.target());
            ro.put("status", r.status());
            ro.put("attempts", r.attempts());
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
