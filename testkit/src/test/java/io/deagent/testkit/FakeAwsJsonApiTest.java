package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import io.deagent.testkit.FakeAwsJsonApi.Failure;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The fake at the wire, with the JDK client. (That the AWS SDK reads its answers and errors as AWS's is checked
 * in the sources module, which has the SDK: {@code CloudWatchLogsWireTest}, {@code RedshiftDataWireTest}.)
 */
class FakeAwsJsonApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIGNED = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261120/us-east-1/logs/aws4_request,"
            + " SignedHeaders=host;x-amz-date;x-amz-target, Signature=0123";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();

    @AfterEach
    void stop() {
        aws.close();
    }

    private HttpResponse<String> post(String target, String body) throws IOException, InterruptedException {
        return post(target, body, FakeAwsJsonApi.CONTENT_TYPE, SIGNED, Duration.ofSeconds(5));
    }

    private HttpResponse<String> post(String target, String body, String type, String auth, Duration timeout)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(aws.endpoint().resolve("/"))
                .timeout(timeout)
                .header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (target != null) {
            b.header("X-Amz-Target", target);
        }
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void routesByTargetAndRecordsTheParsedBody() throws Exception {
        aws.on(
                "Logs_20140328.StartQuery",
                call -> Map.of("queryId", "q-" + call.text("logGroupName").orElse("")));

        HttpResponse<String> r =
                post("Logs_20140328.StartQuery", "{\"logGroupName\":\"/aws/lambda/f\",\"startTime\":1}");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains(FakeAwsJsonApi.CONTENT_TYPE);
        assertThat(r.headers().firstValue("x-amzn-RequestId")).isPresent();
        assertThat(JSON.readTree(r.body()).get("queryId").asText()).isEqualTo("q-/aws/lambda/f");
        FakeAwsJsonApi.Call call = aws.calls("Logs_20140328.StartQuery").get(0);
        assertThat(call.operation()).isEqualTo("StartQuery");
        assertThat(call.body().get("startTime").asLong()).isEqualTo(1);
        assertThat(call.header("x-amz-target")).contains("Logs_20140328.StartQuery");
        assertThat(aws.endpoint().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
    }

    @Test
    void aHandlerCanAnswerWithJsonTextOrThrowAnAwsError() throws Exception {
        aws.on("RedshiftData.DescribeStatement", call -> "{\"Id\":\"s\",\"Status\":\"FINISHED\"}");
        aws.on("Logs_20140328.GetLogEvents", call -> {
            throw AwsError.logStreamNotFound();
        });

        assertThat(post("RedshiftData.DescribeStatement", "{}").body())
                .isEqualTo("{\"Id\":\"s\",\"Status\":\"FINISHED\"}");
        HttpResponse<String> missing = post("Logs_20140328.GetLogEvents", "{}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(missing.body()))
                .isEqualTo(
                        JSON.readTree(
                                "{\"__type\":\"ResourceNotFoundException\",\"message\":\"The specified log stream does not exist.\"}"));
    }

    @Test
    void queuedFailuresComeFirstInOrderThenTheHandler() throws Exception {
        aws.on("Logs_20140328.GetLogEvents", call -> Map.of("events", List.of()));
        aws.failNext("Logs_20140328.GetLogEvents", 1, AwsError.throttling());
        aws.failNext("Logs_20140328.GetLogEvents", 1, AwsError.serviceUnavailable());

        HttpResponse<String> first = post("Logs_20140328.GetLogEvents", "{}");
        HttpResponse<String> second = post("Logs_20140328.GetLogEvents", "{}");
        HttpResponse<String> third = post("Logs_20140328.GetLogEvents", "{}");

        assertThat(first.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(first.body()).get("__type").asText()).isEqualTo("ThrottlingException");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(second.body()).get("__type").asText()).isEqualTo("ServiceUnavailableException");
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(aws.calls("Logs_20140328.GetLogEvents")).hasSize(3);
    }

    @Test
    void aHangHoldsTheRequestUntilTheClientGivesUpAndADropClosesTheConnection() throws Exception {
        aws.on("RedshiftData.DescribeStatement", call -> Map.of());
        aws.failNext("RedshiftData.DescribeStatement", 1, Failure.hang());
        aws.failNext("RedshiftData.DescribeStatement", 1, Failure.dropConnection());

        assertThatThrownBy(() -> post(
                        "RedshiftData.DescribeStatement",
                        "{}",
                        FakeAwsJsonApi.CONTENT_TYPE,
                        SIGNED,
                        Duration.ofMillis(300)))
                .isInstanceOf(HttpTimeoutException.class);
        assertThatThrownBy(() -> post("RedshiftData.DescribeStatement", "{}")).isInstanceOf(IOException.class);
        assertThat(post("RedshiftData.DescribeStatement", "{}").statusCode()).isEqualTo(200);
    }

    @Test
    void closingReleasesHungRequests() {
        aws.on("RedshiftData.DescribeStatement", call -> Map.of());
        aws.failNext("RedshiftData.DescribeStatement", 1, Failure.hang());
        CompletableFuture<Object> pending = CompletableFuture.supplyAsync(() -> {
            try {
                return post(
                        "RedshiftData.DescribeStatement",
                        "{}",
                        FakeAwsJsonApi.CONTENT_TYPE,
                        SIGNED,
                        Duration.ofSeconds(30));
            } catch (IOException | InterruptedException e) {
                return e;
            }
        });
        aws.awaitCall("RedshiftData.DescribeStatement", c -> true, Duration.ofSeconds(5));

        aws.close();

        assertThat(pending.orTimeout(5, java.util.concurrent.TimeUnit.SECONDS).join())
                .isInstanceOf(IOException.class);
    }

    @Test
    void requestsAwsWouldRefuseAreRefused() throws Exception {
        aws.on("Logs_20140328.GetLogEvents", call -> Map.of());

        assertThat(type(post(null, "{}"))).isEqualTo("UnknownOperationException");
        assertThat(type(post("Logs_20140328.Nope", "{}"))).isEqualTo("UnknownOperationException");
        assertThat(type(post("Logs_20140328.GetLogEvents", "{}", "application/json", SIGNED, Duration.ofSeconds(5))))
                .isEqualTo("SerializationException");
        assertThat(type(post(
                        "Logs_20140328.GetLogEvents", "{}", FakeAwsJsonApi.CONTENT_TYPE, null, Duration.ofSeconds(5))))
                .isEqualTo("MissingAuthenticationTokenException");
        assertThat(type(post("Logs_20140328.GetLogEvents", "[1]"))).isEqualTo("SerializationException");
        assertThat(aws.calls()).hasSize(5);
    }

    @Test
    void aBrokenHandlerAnswers500SayingSo() throws Exception {
        aws.on("Logs_20140328.GetLogEvents", call -> {
            throw new IllegalStateException("bug in the test");
        });

        HttpResponse<String> r = post("Logs_20140328.GetLogEvents", "{}");

        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.body()).contains("bug in the test");
    }

    @Test
    void awaitCallFailsListingWhatArrived() throws Exception {
        aws.on("Logs_20140328.GetLogEvents", call -> Map.of());
        post("Logs_20140328.GetLogEvents", "{\"logGroupName\":\"g\"}");

        assertThatThrownBy(() -> aws.awaitCall("Logs_20140328.StopQuery", c -> true, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Logs_20140328.GetLogEvents {\"logGroupName\":\"g\"}");
    }

    private static String type(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).isBetween(400, 499);
        JsonNode body = JSON.readTree(r.body());
        return body.get("__type").asText();
    }
}
