package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeAirflowApi.Trouble;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeAirflowApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = "scheduled__2026-11-20T03:00:00+00:00";
    private static final String RUN_ENCODED = "scheduled__2026-11-20T03%3A00%3A00%2B00%3A00";
    private static final String BASIC = "Basic "
            + Base64.getEncoder()
                    .encodeToString(
                            (FakeAirflowApi.USERNAME + ":" + FakeAirflowApi.PASSWORD).getBytes(StandardCharsets.UTF_8));

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private FakeAirflowApi airflow;

    @AfterEach
    void stop() {
        if (airflow != null) {
            airflow.close();
        }
    }

    @Test
    void airflow2ServesTheTaskInstanceWithBasicAuthAndAnswersProblemJsonWithout() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        airflow.addTaskInstance("daily_orders", RUN, "load_orders", 2, "failed");
        String path = "/api/v1/dags/daily_orders/dagRuns/" + RUN_ENCODED + "/taskInstances/load_orders";

        HttpResponse<String> ok = get(path, "application/json", BASIC);
        HttpResponse<String> denied = get(path, "application/json", null);

        assertThat(ok.statusCode()).isEqualTo(200);
        JsonNode ti = JSON.readTree(ok.body());
        assertThat(ti.get("dag_run_id").asText()).isEqualTo(RUN);
        assertThat(ti.get("try_number").asInt()).isEqualTo(2);
        assertThat(ti.get("execution_date").asText()).isEqualTo("2026-11-20T03:00:00+00:00");
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.headers().firstValue("Content-Type")).contains("application/problem+json");
        assertThat(JSON.readTree(denied.body()).get("title").asText()).isEqualTo("Unauthorized");
        assertThat(airflow.requests()).first().satisfies(r -> {
            assertThat(r.rawPath()).contains(RUN_ENCODED);
            assertThat(r.header("authorization")).contains(BASIC);
        });
    }

    @Test
    void aLiteralPlusInThePathIsReadAsASpaceSoTheRunIsMissed() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        airflow.addTaskInstance("daily_orders", RUN, "load_orders", 1, "failed");

        HttpResponse<String> r = get(
                "/api/v1/dags/daily_orders/dagRuns/scheduled__2026-11-20T03:00:00+00:00/taskInstances/load_orders",
                "application/json",
                BASIC);

        assertThat(r.statusCode()).isEqualTo(404);
    }

    @Test
    void airflow2LogsComeAsTextOrAsThePythonReprJsonFormInPages() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        airflow.addTaskInstance("d", "r1", "t", 1, "failed");
        airflow.addLog("d", "r1", "t", 1, "line 'one'\nline two\nline three\n");
        airflow.splitLogsInto(2);
        String path = "/api/v1/dags/d/dagRuns/r1/taskInstances/t/logs/1";

        HttpResponse<String> text = get(path, "text/plain", BASIC);
        JsonNode first = JSON.readTree(get(path, "application/json", BASIC).body());
        String token = first.get("continuation_token").asText();
        JsonNode second = JSON.readTree(
                get(path + "?token=" + token, "application/json", BASIC).body());
        String token2 = second.get("continuation_token").asText();
        JsonNode end = JSON.readTree(
                get(path + "?token=" + token2, "application/json", BASIC).body());

        assertThat(text.body()).isEqualTo("line 'one'\nline two\nline three\n");
        assertThat(text.headers().firstValue("Content-Type")).contains("text/plain");
        assertThat(first.get("content").asText()).isEqualTo("[('worker-3', \"line 'one'\\nline two\\n\")]");
        assertThat(second.get("content").asText()).isEqualTo("[('worker-3', 'line three\\n')]");
        assertThat(end.get("content").asText()).isEqualTo("[('worker-3', '')]");
        assertThat(end.get("continuation_token").asText()).isEqualTo(token2);
        assertThat(get(path + "?token=forged", "application/json", BASIC).statusCode())
                .isEqualTo(400);
    }

    @Test
    void airflow3IssuesJwtsThatExpireAndServesStructuredLogs() throws Exception {
        airflow = FakeAirflowApi.airflow3();
        airflow.addTaskInstance("d", RUN, "t", 1, "failed");
        airflow.addLog("d", RUN, "t", 1, "{\"event\":\"boom\",\"level\":\"error\"}\nplain line\n");
        String path = "/api/v2/dags/d/dagRuns/" + RUN_ENCODED + "/taskInstances/t/logs/1";

        HttpResponse<String> token = http.send(
                HttpRequest.newBuilder(URI.create(airflow.baseUrl() + "/auth/token"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(
                                "{\"username\":\"admin\",\"password\":\"" + FakeAirflowApi.PASSWORD + "\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        String jwt = JSON.readTree(token.body()).get("access_token").asText();
        JsonNode log =
                JSON.readTree(get(path, "application/json", "Bearer " + jwt).body());
        airflow.expireTokens();
        HttpResponse<String> expired = get(path, "application/json", "Bearer " + jwt);

        assertThat(token.statusCode()).isEqualTo(201);
        assertThat(log.get("content").get(0).get("event").asText()).isEqualTo("boom");
        assertThat(log.get("content").get(1).asText()).isEqualTo("plain line");
        assertThat(log.get("continuation_token").isNull()).isTrue();
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(expired.body()).get("detail").asText()).isEqualTo("Invalid JWT token");
        assertThat(get("/api/v1/version", "application/json", null).statusCode())
                .isEqualTo(404);
        assertThat(JSON.readTree(
                                get("/api/v2/version", "application/json", null).body())
                        .get("version")
                        .asText())
                .startsWith("3.");
    }

    @Test
    void programmedTroubleComesFirstAndIsRecorded() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        airflow.failNext("/version", 1, Trouble.rateLimited(7));
        airflow.failNext("/version", 1, Trouble.status(503, "down for maintenance"));

        HttpResponse<String> limited = get("/api/v1/version", "application/json", null);
        HttpResponse<String> down = get("/api/v1/version", "application/json", null);
        HttpResponse<String> ok = get("/api/v1/version", "application/json", null);

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).contains("7");
        assertThat(down.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(down.body()).get("detail").asText()).isEqualTo("down for maintenance");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(airflow.requests("/version")).hasSize(3);
    }

    @Test
    void aHangAnswersNothing() {
        airflow = FakeAirflowApi.airflow2();
        airflow.failNext(1, Trouble.hang());

        HttpRequest request = HttpRequest.newBuilder(URI.create(airflow.baseUrl() + "/api/v1/version"))
                .timeout(Duration.ofMillis(300))
                .build();

        Assertions.assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    private HttpResponse<String> get(String path, String accept, String authorization) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(airflow.baseUrl() + path)).header("Accept", accept);
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
