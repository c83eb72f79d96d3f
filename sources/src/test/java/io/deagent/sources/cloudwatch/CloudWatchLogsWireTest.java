package io.deagent.sources.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import io.deagent.testkit.FakeAwsJsonApi.Failure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.AccessDeniedException;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetQueryResultsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.QueryStatus;
import software.amazon.awssdk.services.cloudwatchlogs.model.ResourceNotFoundException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ServiceUnavailableException;
import software.amazon.awssdk.services.cloudwatchlogs.model.ThrottlingException;

/** The fake speaks JSON 1.1 as the real SDK client reads and writes it: requests, answers, error classes. */
class CloudWatchLogsWireTest {

    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();
    private final CloudWatchLogsClient client = MwaaTaskLogSourceTest.client(aws);

    @AfterEach
    void stop() {
        client.close();
        aws.close();
    }

    @Test
    void getLogEventsTravelsAsJson11WithTheTargetAndASignature() {
        aws.on(
                "Logs_20140328.GetLogEvents",
                call -> Map.of(
                        "events",
                        List.of(Map.of(
                                "timestamp",
                                1_700_000_000_000L,
                                "message",
                                "hello",
                                "ingestionTime",
                                1_700_000_000_100L)),
                        "nextForwardToken",
                        "f/1",
                        "nextBackwardToken",
                        "b/0"));

        GetLogEventsResponse r = client.getLogEvents(b -> b.logGroupName("g")
                .logStreamName("s/1.log")
                .startFromHead(true)
                .endTime(1_700_000_060_000L)
                .nextToken("f/0"));

        assertThat(r.events()).singleElement().satisfies(e -> {
            assertThat(e.message()).isEqualTo("hello");
            assertThat(e.timestamp()).isEqualTo(1_700_000_000_000L);
        });
        assertThat(r.nextForwardToken()).isEqualTo("f/1");
        assertThat(r.nextBackwardToken()).isEqualTo("b/0");
        FakeAwsJsonApi.Call call = aws.calls().get(0);
        assertThat(call.target()).isEqualTo("Logs_20140328.GetLogEvents");
        assertThat(call.operation()).isEqualTo("GetLogEvents");
        assertThat(call.header("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith(FakeAwsJsonApi.CONTENT_TYPE));
        assertThat(call.header("Authorization")).hasValueSatisfying(a -> assertThat(a)
                .startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
                .contains("/us-east-1/logs/aws4_request"));
        assertThat(call.text("logGroupName")).contains("g");
        assertThat(call.text("logStreamName")).contains("s/1.log");
        assertThat(call.body().get("startFromHead").asBoolean()).isTrue();
        assertThat(call.body().get("endTime").asLong()).isEqualTo(1_700_000_060_000L);
        assertThat(call.text("nextToken")).contains("f/0");
    }

    @Test
    void insightsQueriesTakeEpochSecondsAndAnswerRowsOfFields() {
        aws.on("Logs_20140328.StartQuery", call -> Map.of("queryId", "q-1"));
        aws.on("Logs_20140328.GetQueryResults", call -> """
                {"results":[[{"field":"@timestamp","value":"2026-11-20 03:00:01.000"},
                             {"field":"@message","value":"boom"},{"field":"@ptr","value":"CmAKJg"}]],
                 "statistics":{"recordsMatched":1.0,"recordsScanned":40.0,"bytesScanned":4096.0},
                 "status":"Complete"}""");

        String id = client.startQuery(b -> b.logGroupName("/aws/lambda/f")
                        .startTime(1_763_600_000L)
                        .endTime(1_763_603_600L)
                        .queryString("fields @message"))
                .queryId();
        GetQueryResultsResponse r = client.getQueryResults(b -> b.queryId(id));

        assertThat(id).isEqualTo("q-1");
        assertThat(r.status()).isEqualTo(QueryStatus.COMPLETE);
        assertThat(r.results().get(0).get(1).value()).isEqualTo("boom");
        assertThat(r.statistics().recordsMatched()).isEqualTo(1.0);
        FakeAwsJsonApi.Call start = aws.calls("Logs_20140328.StartQuery").get(0);
        assertThat(start.body().get("startTime").asLong()).isEqualTo(1_763_600_000L);
        assertThat(start.body().get("endTime").asLong()).isEqualTo(1_763_603_600L);
    }

    @Test
    void errorsArriveAsTheSdksModelledExceptions() {
        aws.on("Logs_20140328.GetLogEvents", call -> {
            throw AwsError.logStreamNotFound();
        });
        assertThatThrownBy(() -> client.getLogEvents(b -> b.logGroupName("g").logStreamName("s")))
                .isInstanceOfSatisfying(ResourceNotFoundException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ResourceNotFoundException");
                    assertThat(e.awsErrorDetails().errorMessage())
                            .isEqualTo("The specified log stream does not exist.");
                });

        aws.failNext("Logs_20140328.GetLogEvents", 1, AwsError.throttling());
        assertThatThrownBy(() -> client.getLogEvents(b -> b.logGroupName("g").logStreamName("s")))
                .isInstanceOfSatisfying(ThrottlingException.class, e -> assertThat(e.isThrottlingException())
                        .isTrue());

        aws.failNext("Logs_20140328.GetLogEvents", 1, AwsError.serviceUnavailable());
        assertThatThrownBy(() -> client.getLogEvents(b -> b.logGroupName("g").logStreamName("s")))
                .isInstanceOfSatisfying(ServiceUnavailableException.class, e -> assertThat(e.statusCode())
                        .isEqualTo(503));

        aws.failNext("Logs_20140328.GetLogEvents", 1, AwsError.accessDenied("not authorized"));
        assertThatThrownBy(() -> client.getLogEvents(b -> b.logGroupName("g").logStreamName("s")))
                .isInstanceOf(AccessDeniedException.class)
                .hasMessageContaining("not authorized");
    }

    @Test
    void aHangEndsWithTheCallsOwnTimeoutAndADroppedConnectionIsAClientError() {
        aws.on("Logs_20140328.GetLogEvents", call -> Map.of("events", List.of()));
        aws.failNext("Logs_20140328.GetLogEvents", 1, Failure.hang());
        long started = System.nanoTime();
        assertThatThrownBy(() -> client.getLogEvents(b -> b.logGroupName("g")
                        .logStreamName("s")
                        .overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(300)))))
                .isInstanceOf(ApiCallTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));

        aws.failNext("Logs_20140328.GetLogEvents", 1, Failure.dropConnection());
        assertThatThrownBy(() -> client.getLogEvents(b -> b.logGroupName("g").logStreamName("s")))
                .isInstanceOf(SdkClientException.class);
    }
}
