package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeMwaaApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeAirflowApi airflow = FakeAirflowApi.airflow2();
    private final FakeMwaaApi mwaa = FakeMwaaApi.start("prod-env", airflow);

    @AfterEach
    void stop() {
        mwaa.close();
        airflow.close();
    }

    @Test
    void invokeRestApiForwardsToAirflowAndWrapsTheAnswer() throws Exception {
        airflow.addTaskInstance("d", "manual__2026-11-20T03:00:00+00:00", "t", 2, "failed");

        HttpResponse<String> r = invoke(
                "prod-env",
                "{\"Path\":\"/dags/d/dagRuns/manual__2026-11-20T03:00:00+00:00/taskInstances/t\",\"Method\":\"GET\"}");

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("RestApiStatusCode").asInt()).isEqualTo(200);
        assertThat(body.get("RestApiResponse").get("try_number").asInt()).isEqualTo(2);
        assertThat(airflow.requests()).singleElement().satisfies(req -> {
            assertThat(req.viaMwaa()).isTrue();
            assertThat(req.rawPath()).startsWith("/api/v1/dags/d/");
        });
        assertThat(mwaa.invocations()).singleElement().satisfies(i -> {
            assertThat(i.name()).isEqualTo("prod-env");
            assertThat(i.method()).isEqualTo("GET");
        });
    }

    @Test
    void airflowErrorsBecomeRestApiClientExceptionsWithAirflowsBody() throws Exception {
        HttpResponse<String> r = invoke("prod-env", "{\"Path\":\"/dags/missing\",\"Method\":\"GET\"}");

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("x-amzn-ErrorType")).contains("RestApiClientException");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("RestApiStatusCode").asInt()).isEqualTo(404);
        assertThat(body.get("RestApiResponse").get("title").asText()).isEqualTo("DAG not found");
    }

    @Test
    void serviceErrorsComeFirstAndAnUnknownEnvironmentIsNotFound() throws Exception {
        mwaa.failNext(1, FakeMwaaApi.Trouble.accessDenied());

        HttpResponse<String> denied = invoke("prod-env", "{\"Path\":\"/version\",\"Method\":\"GET\"}");
        HttpResponse<String> unknown = invoke("other", "{\"Path\":\"/version\",\"Method\":\"GET\"}");

        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("x-amzn-ErrorType")).contains("AccessDeniedException");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.headers().firstValue("x-amzn-ErrorType")).contains("ResourceNotFoundException");
        assertThat(airflow.requests()).isEmpty();
    }

    private HttpResponse<String> invoke(String name, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(mwaa.endpoint() + "/restapi/" + name))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
