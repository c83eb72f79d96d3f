package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.runtime.Config;
import io.deagent.runtime.WebhookSignature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The service in this process, on an embedded H2 file, spoken to over HTTP. */
class ServiceTest {

    static final String SECRET = "test-secret";
    static final ObjectMapper JSON = new ObjectMapper();
    static final String LOG = """
            [2026-11-20, 03:00:05 UTC] {taskinstance.py:2905} ERROR - Task failed with exception
            Traceback (most recent call last):
              File "/opt/airflow/dags/orders.py", line 40, in load
                cur.execute(sql)
            psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
            LINE 1: SELECT customer_idd FROM orders
            """;

    @TempDir
    Path dir;

    Service service;
    HttpClient http = HttpClient.newHttpClient();
    String base;

    @BeforeEach
    void start() {
        service = Service.start(
                Config.of(Map.of(
                        "DE_AGENT_DB_URL", "jdbc:h2:file:" + dir.resolve("store"),
                        "DE_AGENT_WEBHOOK_SECRET", SECRET,
                        "DE_AGENT_BIND", "127.0.0.1",
                        "DE_AGENT_MAX_BODY_BYTES", "65536",
                        "DE_AGENT_POLL_MILLIS", "50")),
                0,
                Clock.systemUTC());
        base = "http://127.0.0.1:" + service.port();
    }

    @AfterEach
    void stop() {
        service.close();
    }

    static String event(String run, int tryNumber) throws Exception {
        return JSON.writeValueAsString(Map.of(
                "dag_id",
                "daily_orders",
                "task_id",
                "load_orders",
                "run_id",
                run,
                "try_number",
                tryNumber,
                "log",
                LOG + "password=hunter2\n"));
    }

    HttpResponse<String> post(String body, long timestamp, String secret) throws Exception {
        String ts = String.valueOf(timestamp);
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "/webhooks/airflow"))
                        .header("Content-Type", "application/json")
                        .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                        .header(WebhookSignature.SIGNATURE_HEADER, new WebhookSignature(secret).sign(ts, bytes))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String body) throws Exception {
        return post(body, Instant.now().getEpochSecond(), SECRET);
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    JsonNode incidents() throws Exception {
        return JSON.readTree(get("/api/incidents").body()).get("incidents");
    }

    JsonNode awaitDone(long id) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            JsonNode i = JSON.readTree(get("/api/incidents/" + id).body());
            if (i.get("status").asText().equals("done")
                    || i.get("status").asText().equals("failed")) {
                return i;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("incident " + id + " not finished in 20 s");
    }

    @Test
    void a_signed_event_is_acknowledged_then_diagnosed_with_recurrence_and_stored_redacted() throws Exception {
        HttpResponse<String> r = post(event("scheduled__2026-11-20T03:00:00+00:00", 1));
        assertThat(r.statusCode()).isEqualTo(202);
        long id = JSON.readTree(r.body()).get("id").asLong();

        JsonNode incident = awaitDone(id);
        assertThat(incident.get("status").asText()).isEqualTo("done");
        assertThat(incident.at("/diagnosis/category").asText()).isEqualTo("missing_column");
        assertThat(incident.at("/diagnosis/recurrence/seen").asInt()).isEqualTo(1);
        assertThat(incident.at("/event/log").asText()).doesNotContain("hunter2");
        assertThat(incident.at("/timings/diagnostic_ms").isNumber()).isTrue();

        long second = JSON.readTree(
                        post(event("scheduled__2026-11-21T03:00:00+00:00", 1)).body())
                .get("id")
                .asLong();
        JsonNode again = awaitDone(second);
        assertThat(again.at("/diagnosis/recurrence/seen").asInt()).isEqualTo(2);
        assertThat(again.at("/diagnosis/recurrence/first_seen").asText())
                .isEqualTo(incident.get("received_at").asText());
    }

    @Test
    void the_same_failure_posted_twice_is_one_incident() throws Exception {
        String body = event("r1", 2);
        HttpResponse<String> first = post(body);
        HttpResponse<String> second = post(body);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(second.body()).get("duplicate").asBoolean()).isTrue();
        assertThat(JSON.readTree(second.body()).get("id").asLong())
                .isEqualTo(JSON.readTree(first.body()).get("id").asLong());
        assertThat(incidents()).hasSize(1);
        assertThat(incidents().get(0).get("deliveries").asInt()).isEqualTo(2);
    }

    @Test
    void forged_stale_and_unsigned_requests_get_401_and_change_nothing() throws Exception {
        String body = event("r1", 1);
        long now = Instant.now().getEpochSecond();
        assertThat(post(body, now, "wrong-secret").statusCode()).isEqualTo(401);
        assertThat(post(body, now - 301, SECRET).statusCode()).isEqualTo(401);
        assertThat(post(body, now + 400, SECRET).statusCode()).isEqualTo(401);
        HttpResponse<String> unsigned = http.send(
                HttpRequest.newBuilder(URI.create(base + "/webhooks/airflow"))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).isEqualTo("{\"error\":\"unauthorized\"}");
        assertThat(incidents()).isEmpty();
    }

    @Test
    void bad_bodies_get_a_short_reason_and_are_not_recorded() throws Exception {
        HttpResponse<String> malformed = post("{\"dag_id\": \"d\", ");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).get("error").asText()).startsWith("malformed JSON at line 1");

        HttpResponse<String> noTask = post("{\"dag_id\": \"d\"}");
        assertThat(noTask.statusCode()).isEqualTo(400);
        assertThat(noTask.body()).contains("missing \\\"task_id\\\"");

        assertThat(post("[1,2]").statusCode()).isEqualTo(400);
        assertThat(post("{\"dag_id\":\"d\",\"task_id\":\"t\",\"try_number\":\"two\"}")
                        .statusCode())
                .isEqualTo(400);

        String huge = "{\"dag_id\":\"d\",\"task_id\":\"t\",\"log\":\"" + "x".repeat(70_000) + "\"}";
        HttpResponse<String> tooLarge = post(huge);
        assertThat(tooLarge.statusCode()).isEqualTo(413);
        assertThat(tooLarge.body()).contains("larger than 65536 bytes");
        assertThat(incidents()).isEmpty();
    }

    @Test
    void health_readiness_metrics_and_api_errors() throws Exception {
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").body()).contains("ready");
        long id = JSON.readTree(post(event("r9", 1)).body()).get("id").asLong();
        awaitDone(id);

        String metrics = get("/metrics").body();
        assertThat(metrics)
                .contains("de_agent_diagnostic_seconds_count 1")
                .contains("de_agent_incidents_total{category=\"missing_column\"} 1")
                .contains("de_agent_queue_depth 0")
                .contains("de_agent_webhook_requests_total{outcome=\"accepted\"} 1");

        assertThat(get("/api/incidents?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/api/incidents?limit=501").statusCode()).isEqualTo(400);
        assertThat(get("/api/incidents?status=lost").statusCode()).isEqualTo(400);
        assertThat(get("/api/incidents?status=done").body()).contains("\"id\":" + id);
        assertThat(get("/api/incidents?status=queued").body()).isEqualTo("{\"incidents\":[],\"next\":null}");
        assertThat(get("/api/incidents/999").statusCode()).isEqualTo(404);
        assertThat(get("/api/incidents/abc").statusCode()).isEqualTo(400);
        HttpResponse<String> unknown = get("/nope");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).startsWith("{\"error\"");
    }

    @Test
    void the_python_airflow_callback_is_accepted_and_diagnosed() throws Exception {
        Path airflow = Path.of(System.getProperty("deagent.root", ".")).resolve("airflow");
        String script = """
                import types, datetime
                from de_agent_callback import on_failure_callback
                ti = types.SimpleNamespace(dag_id="daily_orders", task_id="load_orders",
                    run_id="scheduled__2026-11-20T03:00:00+00:00", try_number=2, max_tries=3,
                    log_url=None, hostname="worker-3", operator="SQLExecuteQueryOperator", map_index=-1,
                    task=types.SimpleNamespace(owner="data-platform"))
                class UndefinedColumn(Exception):
                    pass
                UndefinedColumn.__module__ = "psycopg2.errors"
                on_failure_callback({"ti": ti, "task_instance": ti, "run_id": ti.run_id,
                    "logical_date": datetime.datetime(2026, 11, 20, 3, tzinfo=datetime.timezone.utc),
                    "exception": UndefinedColumn('column "customer_idd" does not exist')})
                """;
        ProcessBuilder pb = new ProcessBuilder("python3", "-c", script)
                .directory(airflow.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("callback.out").toFile());
        pb.environment().put("DE_AGENT_URL", base);
        pb.environment().put("DE_AGENT_WEBHOOK_SECRET", SECRET);
        pb.environment().put("DE_AGENT_LOG_DIR", dir.resolve("no-logs").toString());
        Process p = pb.start();
        assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();

        JsonNode list = incidents();
        assertThat(list)
                .as(java.nio.file.Files.readString(dir.resolve("callback.out")))
                .hasSize(1);
        JsonNode incident = awaitDone(list.get(0).get("id").asLong());
        assertThat(incident.at("/event/try_number").asInt()).isEqualTo(2);
        assertThat(incident.at("/event/exception").asText())
                .isEqualTo("psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist");
        assertThat(incident.at("/diagnosis/category").asText()).isEqualTo("missing_column");
    }

    @Test
    void a_list_carries_the_tail_of_each_inline_log_and_one_incident_all_of_it() throws Exception {
        String log = "x".repeat(10_000) + "\n" + LOG;
        String body = JSON.writeValueAsString(
                Map.of("dag_id", "daily_orders", "task_id", "load_orders", "run_id", "big", "log", log));
        long id = JSON.readTree(post(body).body()).get("id").asLong();
        awaitDone(id);

        JsonNode listed = incidents().get(0).get("event");
        assertThat(listed.get("log").asText()).hasSize(HttpApi.LIST_LOG_CHARS).endsWith(LOG);
        assertThat(listed.get("log_chars_omitted").asInt()).isEqualTo(log.length() - HttpApi.LIST_LOG_CHARS);
        assertThat(JSON.readTree(get("/api/incidents/" + id).body())
                        .at("/event/log")
                        .asText())
                .isEqualTo(log);
    }

    @Test
    void with_an_api_token_the_incidents_api_wants_it_and_the_rest_does_not() throws Exception {
        try (Service guarded = Service.start(
                Config.of(Map.of(
                        "DE_AGENT_DB_URL",
                        "jdbc:h2:file:" + dir.resolve("guarded"),
                        "DE_AGENT_WEBHOOK_SECRET",
                        SECRET,
                        "DE_AGENT_API_TOKEN",
                        "api-token",
                        "DE_AGENT_BIND",
                        "127.0.0.1")),
                0,
                Clock.systemUTC())) {
            String root = "http://127.0.0.1:" + guarded.port();
            HttpResponse<String> anonymous = http.send(
                    HttpRequest.newBuilder(URI.create(root + "/api/incidents")).build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> wrong = http.send(
                    HttpRequest.newBuilder(URI.create(root + "/api/incidents/1"))
                            .header("Authorization", "Bearer nope")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> right = http.send(
                    HttpRequest.newBuilder(URI.create(root + "/api/incidents"))
                            .header("Authorization", "Bearer api-token")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(root + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.body()).isEqualTo("{\"error\":\"unauthorized\"}");
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(health.statusCode()).isEqualTo(200);
        }
    }
}
