package io.deagent.app.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.app.serve.Service;
import io.deagent.runtime.Config;
import io.deagent.runtime.WebhookSignature;
import io.deagent.testkit.FakeSlackApi;
import io.deagent.testkit.SlackRequests;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real {@code serve} on 127.0.0.1 (an H2 file, a local fake Slack Web API) whose clock the test sets,
 * fed only through its own doors: signed Airflow webhooks with real logs, Slack alerts for the same
 * failures (so the answer goes to a thread) and reactions on those answers (feedback).
 */
final class ServedIncidents implements AutoCloseable {

    static final String WEBHOOK_SECRET = "page-test-webhook-secret";
    static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String CHANNEL = "C0ALERTS";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(20);
    private static final AtomicInteger EVENT_IDS = new AtomicInteger();

    /**
     * A clock the test sets to a day and time of its story; from there it runs at the real pace, so the
     * durations the service measures are real. Every part of the service reads it.
     */
    static final class MovableClock extends Clock {
        private record Mark(Instant at, long nanos) {}

        private final AtomicReference<Mark> mark;

        MovableClock(Instant start) {
            this.mark = new AtomicReference<>(new Mark(start, System.nanoTime()));
        }

        void set(Instant t) {
            mark.set(new Mark(t, System.nanoTime()));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            Mark m = mark.get();
            return m.at().plusNanos(System.nanoTime() - m.nanos());
        }
    }

    final MovableClock clock;
    final FakeSlackApi slack;
    final Service service;
    final String base;
    final HttpClient http = HttpClient.newHttpClient();

    private ServedIncidents(MovableClock clock, FakeSlackApi slack, Service service) {
        this.clock = clock;
        this.slack = slack;
        this.service = service;
        this.base = "http://127.0.0.1:" + service.port();
    }

    static ServedIncidents start(Path dir, Instant now, Map<String, String> settings) {
        MovableClock clock = new MovableClock(now);
        FakeSlackApi slack = FakeSlackApi.start();
        Map<String, String> config = new HashMap<>(Map.of(
                "DE_AGENT_DB_URL",
                "jdbc:h2:file:" + dir.resolve("store"),
                "DE_AGENT_WEBHOOK_SECRET",
                WEBHOOK_SECRET,
                "DE_AGENT_BIND",
                "127.0.0.1",
                "DE_AGENT_POLL_MILLIS",
                "50",
                "SLACK_BOT_TOKEN",
                FakeSlackApi.DEFAULT_TOKEN,
                "SLACK_SIGNING_SECRET",
                SIGNING_SECRET,
                "SLACK_API_URL",
                slack.baseUrl(),
                "SLACK_CHANNELS",
                CHANNEL));
        config.putAll(settings);
        try {
            return new ServedIncidents(clock, slack, Service.start(Config.of(config), 0, clock));
        } catch (RuntimeException e) {
            slack.close();
            throw e;
        }
    }

    /** A failure as the Airflow callback reports it. */
    record Failure(String dagId, String taskId, Instant logicalDate, int tryNumber, String operator, String log) {
        String runId() {
            return "scheduled__" + logicalDate.toString().replace("Z", "+00:00");
        }

        String logUrl() {
            return "http://airflow.example/dags/" + dagId + "/grid?dag_run_id=" + enc(runId()) + "&task_id=" + taskId
                    + "&try_number=" + tryNumber;
        }
    }

    /** Posts the signed webhook at the clock's time and waits until the incident is diagnosed. */
    long fail(Failure f) throws Exception {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("dag_id", f.dagId());
        event.put("task_id", f.taskId());
        event.put("run_id", f.runId());
        event.put("logical_date", f.logicalDate().toString().replace("Z", "+00:00"));
        event.put("try_number", f.tryNumber());
        event.put("max_tries", 3);
        event.put("log_url", f.logUrl());
        event.put("operator", f.operator());
        event.put("owner", "data-platform");
        event.put("hostname", "airflow-worker-" + (1 + Math.abs(f.dagId().hashCode() % 3)));
        event.put("log", f.log());
        HttpResponse<String> r = postWebhook(JSON.writeValueAsString(event));
        if (r.statusCode() != 202) {
            throw new AssertionError("webhook answered " + r.statusCode() + ": " + r.body());
        }
        long id = JSON.readTree(r.body()).get("id").asLong();
        awaitFinished(id);
        return id;
    }

    HttpResponse<String> postWebhook(String body) throws Exception {
        String ts = String.valueOf(clock.instant().getEpochSecond());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/webhooks/airflow"))
                        .header("Content-Type", "application/json")
                        .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                        .header(WebhookSignature.SIGNATURE_HEADER, new WebhookSignature(WEBHOOK_SECRET).sign(ts, bytes))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    JsonNode awaitFinished(long id) throws Exception {
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            JsonNode i = json("/api/incidents/" + id);
            String status = i.path("status").asText();
            if (status.equals("done") || status.equals("failed")) {
                return i;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("incident " + id + " not finished in " + WAIT);
    }

    /**
     * Posts the Slack alert of the same failure in {@link #CHANNEL} (it becomes the incident's thread) and
     * waits until the answer is in that thread.
     */
    void alertInSlack(long id, Failure f, String alertTs) throws Exception {
        String text = ":red_circle: Task Failed. \n*Task*: " + f.taskId() + "  \n*Dag*: " + f.dagId() + " \n"
                + "*Execution Time*: " + f.logicalDate().toString().replace("Z", "+00:00") + "  \n"
                + "*Log Url*: <http://airflow.example/dags/" + f.dagId() + "/grid?dag_run_id=" + enc(f.runId())
                + "&amp;task_id=" + f.taskId() + "&amp;try_number=" + f.tryNumber() + "&amp;dag_id=" + f.dagId()
                + "|http://airflow.example/log> \n"
                + "*Exception*: see the log";
        ObjectNode event = JSON.createObjectNode()
                .put("type", "message")
                .put("subtype", "bot_message")
                .put("text", text)
                .put("username", "Airflow")
                .put("bot_id", "B0AIRFLOW")
                .put("channel", CHANNEL)
                .put("channel_type", "channel")
                .put("ts", alertTs)
                .put("event_ts", alertTs);
        sendSlack(envelope(event));
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            JsonNode replies = json("/api/incidents/" + id).path("replies");
            if (!replies.isEmpty() && replies.get(0).path("message_ts").isTextual()) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no answer in the thread of incident " + id + " within " + WAIT);
    }

    /** Reacts on the incident's answer in Slack and waits until the verdict is counted. */
    void react(long id, String user, String reaction) throws Exception {
        JsonNode before = json("/api/incidents/" + id).path("feedback");
        long counted = before.path("correct").asLong() + before.path("wrong").asLong();
        String replyTs = json("/api/incidents/" + id)
                .path("replies")
                .get(0)
                .path("message_ts")
                .asText();
        ObjectNode event = JSON.createObjectNode()
                .put("type", "reaction_added")
                .put("user", user)
                .put("reaction", reaction)
                .put("event_ts", replyTs);
        event.putObject("item").put("type", "message").put("channel", CHANNEL).put("ts", replyTs);
        sendSlack(envelope(event));
        long until = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < until) {
            JsonNode fb = json("/api/incidents/" + id).path("feedback");
            if (fb.path("correct").asLong() + fb.path("wrong").asLong() > counted) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the reaction on incident " + id + " was not counted within " + WAIT);
    }

    private void sendSlack(ObjectNode body) throws Exception {
        HttpResponse<String> r = http.send(
                SlackRequests.eventPost(
                        URI.create(base + "/slack/events"),
                        SIGNING_SECRET,
                        Instant.now().getEpochSecond(),
                        body.toString(),
                        0),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new AssertionError("Slack event answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static ObjectNode envelope(ObjectNode event) {
        return SlackRequests.eventCallback(event, "EvPage" + EVENT_IDS.incrementAndGet());
    }

    HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        for (int i = 0; i + 1 < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode json(String path) throws Exception {
        return JSON.readTree(get(path).body());
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            service.close();
        } finally {
            slack.close();
        }
    }
}
