package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.runtime.Config;
import io.deagent.testkit.FakeAirflowApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task killed without a callback is found by polling Airflow and diagnosed from its log. */
class AirflowWatcherTest {

    static final String RUN = "scheduled__2026-11-20T03:00:00+00:00";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    FakeAirflowApi airflow;
    Service service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        airflow.close();
    }

    @Test
    void a_failure_nobody_reported_becomes_one_diagnosed_incident() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        airflow.addDag("daily_orders", "/opt/airflow/dags/daily_orders.py", "data-platform");
        airflow.addDagRun("daily_orders", RUN, "failed", "scheduled", Instant.parse("2026-11-20T03:00:00Z"));
        Instant ended = Instant.now().minusSeconds(30);
        airflow.addTaskInstance(FakeAirflowApi.TaskInstance.of("daily_orders", RUN, "load_orders", 1, "failed")
                .withTimes(ended.minusSeconds(60), ended));
        airflow.addTaskInstance(FakeAirflowApi.TaskInstance.of("daily_orders", RUN, "notify", 1, "success")
                .withTimes(ended.minusSeconds(10), ended));
        airflow.addLog(
                "daily_orders",
                RUN,
                "load_orders",
                1,
                Files.readString(Path.of(System.getProperty("deagent.root", "."))
                        .resolve("examples/logs/airflow-postgres-missing-column.log")));
        service = Service.start(
                Config.of(Map.of(
                        "DE_AGENT_DB_URL",
                        "jdbc:h2:file:" + dir.resolve("store"),
                        "DE_AGENT_BIND",
                        "127.0.0.1",
                        "DE_AGENT_POLL_MILLIS",
                        "50",
                        "AIRFLOW_BASE_URL",
                        airflow.baseUrl(),
                        "AIRFLOW_USERNAME",
                        FakeAirflowApi.USERNAME,
                        "AIRFLOW_PASSWORD",
                        FakeAirflowApi.PASSWORD,
                        "DE_AGENT_AIRFLOW_WATCH_SECONDS",
                        "1")),
                0,
                Clock.systemUTC());
        HttpClient http = HttpClient.newHttpClient();
        URI list = URI.create("http://127.0.0.1:" + service.port() + "/api/incidents");
        JsonNode incidents = null;
        long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < until) {
            incidents = JSON.readTree(
                            http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString())
                                    .body())
                    .get("incidents");
            if (incidents.size() == 1 && incidents.get(0).get("status").asText().equals("done")) {
                break;
            }
            Thread.sleep(100);
        }
        Thread.sleep(2_500); // two more polls: the same failure must not open a second incident
        incidents = JSON.readTree(http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("incidents");
        assertThat(incidents).hasSize(1);
        JsonNode incident = incidents.get(0);
        assertThat(incident.at("/event/found_by").asText()).isEqualTo("airflow_watcher");
        assertThat(incident.at("/diagnosis/category").asText()).isEqualTo("missing_column");
        assertThat(airflow.requests("/dags/~/dagRuns/~/taskInstances")).isNotEmpty();
    }
}
