package io.deagent.sources.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import io.deagent.testkit.FakeAwsJsonApi.Failure;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

class MwaaTaskLogSourceTest {

    static final String GROUP = "airflow-prod-Task";
    static final String RUN = "scheduled__2026-11-20T03:00:00+00:00";
    static final String CURRENT_2 =
            "dag_id=daily_orders/run_id=scheduled__2026-11-20T03_00_00+00_00/task_id=load_orders/attempt=2.log";
    static final String LEGACY_2 = "daily_orders/load_orders/2026-11-20T03_00_00+00_00/2.log";
    static final String CURRENT_1 =
            "dag_id=daily_orders/run_id=scheduled__2026-11-20T03_00_00+00_00/task_id=load_orders/attempt=1.log";
    static final String LEGACY_1 = "daily_orders/load_orders/2026-11-20T03_00_00+00_00/1.log";

    static final List<String> LOG = List.of(
            "[2026-11-20, 03:00:05 UTC] {taskinstance.py:1157} INFO - Starting attempt 2 of 3",
            "[2026-11-20, 03:00:09 UTC] {taskinstance.py:1851} ERROR - Task failed with exception",
            "Traceback (most recent call last):",
            "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist",
            "[2026-11-20, 03:00:09 UTC] {taskinstance.py:1401} INFO - Marking task as UP_FOR_RETRY.");

    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();
    private final FakeLogStreams streams = new FakeLogStreams().group(GROUP);
    private final CloudWatchLogsClient client = client(aws);
    private final MwaaTaskLogSource source = new MwaaTaskLogSource(GROUP, "us-east-1", client);

    MwaaTaskLogSourceTest() {
        aws.on(FakeLogStreams.TARGET, streams);
    }

    @AfterEach
    void stop() {
        client.close();
        aws.close();
    }

    static CloudWatchLogsClient client(FakeAwsJsonApi aws) {
        CloudWatchSettings settings = new CloudWatchSettings(
                Optional.of(GROUP), List.of(), Duration.ofMinutes(60), "us-east-1", Optional.of(aws.endpoint()));
        return LogsCalls.client(
                settings, StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", "not-a-secret")));
    }

    static FailureEvent event(String extraJson) {
        return FailureEvents.parse(
                "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"run_id\":\"" + RUN + "\","
                        + "\"logical_date\":\"2026-11-20T03:00:00+00:00\",\"try_number\":2" + extraJson + "}",
                FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    static Budget budget(Duration time, long maxBytes) {
        return new Budget(Instant.now().plus(time), maxBytes, Clock.systemUTC());
    }

    private List<String> streamsAsked() {
        return aws.calls(FakeLogStreams.TARGET).stream()
                .map(c -> c.text("logStreamName").orElse(""))
                .distinct()
                .toList();
    }

    @Test
    void readsTheTryFromTheCurrentStreamNaming() {
        streams.stream(GROUP, CURRENT_2, LOG);

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.sourceId()).isEqualTo("cloudwatch");
        assertThat(e.logText()).contains(String.join("\n", LOG));
        assertThat(e.facts())
                .containsEntry("cloudwatch.log_group", GROUP)
                .containsEntry("cloudwatch.log_stream", CURRENT_2)
                .containsEntry("cloudwatch.events", "5")
                .containsEntry("cloudwatch.truncated", "false")
                .containsEntry("cloudwatch.attempt", "2")
                .containsEntry("cloudwatch.log_template", "current");
        assertThat(e.query())
                .contains(
                        "GetLogEvents logGroupName=" + GROUP + " logStreamName=" + CURRENT_2 + " startFromHead=false");
        assertThat(e.error()).isEmpty();
        assertThat(e.link())
                .contains("https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
                        + "#logsV2:log-groups/log-group/airflow-prod-Task/log-events/"
                        + "dag_id$253Ddaily_orders$252Frun_id$253Dscheduled__2026-11-20T03_00_00$252B00_00"
                        + "$252Ftask_id$253Dload_orders$252Fattempt$253D2.log");
        assertThat(streamsAsked()).containsExactly(CURRENT_2);
        FakeAwsJsonApi.Call first = aws.calls(FakeLogStreams.TARGET).get(0);
        assertThat(first.body().get("logGroupName").asText()).isEqualTo(GROUP);
        assertThat(first.body().get("startFromHead").asBoolean()).isFalse();
        assertThat(first.body().has("nextToken")).isFalse();
    }

    @Test
    void fallsBackToTheAirflow22StreamNaming() {
        streams.stream(GROUP, LEGACY_2, LOG);

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts())
                .containsEntry("cloudwatch.log_stream", LEGACY_2)
                .containsEntry("cloudwatch.log_template", "legacy");
        assertThat(streamsAsked()).containsExactly(CURRENT_2, LEGACY_2);
    }

    @Test
    void legacyNamingTakesTheLogicalDateFromTheRunIdWhenThePayloadHasNone() {
        streams.stream(GROUP, LEGACY_2, LOG);
        FailureEvent e = FailureEvents.parse(
                "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"run_id\":\"" + RUN + "\",\"try_number\":2}",
                FailureEvent.Origin.AIRFLOW_WEBHOOK);

        assertThat(source.collect(e, budget(Duration.ofSeconds(10), 1 << 20)).status())
                .isEqualTo(Status.OK);
    }

    @Test
    void triesThePreviousTryWhenTheEventsTryIsOneTooHigh() {
        streams.stream(GROUP, CURRENT_1, LOG);

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts())
                .containsEntry("cloudwatch.log_stream", CURRENT_1)
                .containsEntry("cloudwatch.attempt", "1");
        assertThat(streamsAsked()).containsExactly(CURRENT_2, LEGACY_2, CURRENT_1);
    }

    @Test
    void anEmptyStreamIsNoLogAndThePreviousTryIsTried() {
        streams.stream(GROUP, CURRENT_2, List.of()).stream(GROUP, LEGACY_1, LOG);

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts()).containsEntry("cloudwatch.log_stream", LEGACY_1);
        assertThat(streamsAsked()).containsExactly(CURRENT_2, LEGACY_2, CURRENT_1, LEGACY_1);
    }

    @Test
    void aMappedTaskHasItsMapIndexInTheStreamName() {
        String mapped = "dag_id=daily_orders/run_id=scheduled__2026-11-20T03_00_00+00_00/task_id=load_orders/"
                + "map_index=4/attempt=2.log";
        streams.stream(GROUP, mapped, LOG);

        Evidence e = source.collect(event(",\"map_index\":4"), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts()).containsEntry("cloudwatch.log_stream", mapped);
    }

    @Test
    void pagesBackwardsUntilTheTokenComesBackUnchangedThroughEmptyPages() {
        List<String> lines =
                IntStream.rangeClosed(1, 10).mapToObj(i -> "line " + i).toList();
        streams.stream(GROUP, CURRENT_2, lines).pageSize(3).emptyPagesBetween(1);

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText()).contains(String.join("\n", lines));
        assertThat(e.facts()).containsEntry("cloudwatch.events", "10").containsEntry("cloudwatch.truncated", "false");
        List<FakeAwsJsonApi.Call> calls = aws.calls(FakeLogStreams.TARGET);
        // pages of 3, 3, 3, 1 events, an empty page before each but the first, and the empty page at the start
        // whose token is the one sent
        assertThat(calls).hasSize(9);
        long empty = calls.stream().filter(c -> c.body().has("nextToken")).count();
        assertThat(empty).isEqualTo(8);
        // each token was sent once: the reader stopped when the last one came back instead of sending it again
        assertThat(calls.stream().map(c -> c.text("nextToken").orElse("")).distinct())
                .hasSize(9);
    }

    @Test
    void theByteCapKeepsTheEndOfTheLogAndStopsReading() {
        List<String> lines = new ArrayList<>();
        for (int i = 1; i <= 5000; i++) {
            lines.add(String.format("[2026-11-20, 03:00:09 UTC] {task.py:1} INFO - line %05d", i));
        }
        streams.stream(GROUP, CURRENT_2, lines).pageSize(100);
        int lineBytes = lines.get(0).length() + 1;

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 10L * lineBytes + 5));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow().split("\n")).containsExactlyElementsOf(lines.subList(4990, 5000));
        assertThat(e.facts()).containsEntry("cloudwatch.truncated", "true").containsEntry("cloudwatch.events", "10");
        assertThat(aws.calls(FakeLogStreams.TARGET)).hasSize(1);
    }

    @Test
    void aLineLargerThanTheCapKeepsItsEnd() {
        streams.stream(GROUP, CURRENT_2, List.of("first", "x".repeat(1000) + " the end"));

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 101));

        assertThat(e.logText().orElseThrow()).hasSize(100).endsWith("x the end");
        assertThat(e.facts()).containsEntry("cloudwatch.truncated", "true");
    }

    @Test
    void noStreamAnywhereIsNoDataNamingTheGroupAndEveryStreamTried() {
        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(e.logText()).isEmpty();
        assertThat(e.error().orElseThrow())
                .contains("log group " + GROUP)
                .contains(CURRENT_2 + " (not found)")
                .contains(LEGACY_2 + " (not found)")
                .contains(CURRENT_1 + " (not found)")
                .contains(LEGACY_1 + " (not found)")
                .contains("The specified log stream does not exist.");
        assertThat(e.query().orElseThrow()).contains(GROUP).contains(CURRENT_2).contains(LEGACY_1);
        assertThat(aws.calls(FakeLogStreams.TARGET)).hasSize(4);
    }

    @Test
    void throttlingIsRetriedWithinTheBudget() {
        streams.stream(GROUP, CURRENT_2, LOG);
        aws.failNext(FakeLogStreams.TARGET, 2, AwsError.throttling());

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts()).containsEntry("cloudwatch.log_stream", CURRENT_2);
        assertThat(aws.calls(FakeLogStreams.TARGET)).hasSize(4); // 2 throttled, the page, the end
    }

    @Test
    void aServiceUnavailableAnswerIsRetried() {
        streams.stream(GROUP, CURRENT_2, LOG);
        aws.failNext(FakeLogStreams.TARGET, 1, AwsError.serviceUnavailable());

        assertThat(source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20))
                        .status())
                .isEqualTo(Status.OK);
    }

    @Test
    void accessDeniedIsAnErrorThatNamesThePermission() {
        aws.failNext(
                FakeLogStreams.TARGET,
                1,
                AwsError.accessDenied("User: arn:aws:sts::123456789012:assumed-role/de-agent/x is not authorized to"
                        + " perform: logs:GetLogEvents"));

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .startsWith("needs logs:GetLogEvents on arn:aws:logs:us-east-1:*:log-group:airflow-prod-Task:*")
                .contains("AccessDeniedException")
                .contains("is not authorized to perform: logs:GetLogEvents")
                .contains(CURRENT_2);
        assertThat(aws.calls(FakeLogStreams.TARGET)).hasSize(1);
    }

    @Test
    void rejectedCredentialsAreAnErrorThatSaysWhatAwsSaid() {
        aws.failNext(
                FakeLogStreams.TARGET,
                1,
                new AwsError(
                        400, "UnrecognizedClientException", "The security token included in the request is invalid."));

        Evidence e = source.collect(event(""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .startsWith("GetLogEvents logGroupName=" + GROUP)
                .contains("UnrecognizedClientException The security token included in the request is invalid.")
                .doesNotContain("needs logs:");
        assertThat(aws.calls(FakeLogStreams.TARGET)).hasSize(1);
    }

    @Test
    void aHangIsTimedOutByTheDeadline() {
        aws.failNext(FakeLogStreams.TARGET, 1, Failure.hang());
        long started = System.nanoTime();

        Evidence e = source.collect(event(""), budget(Duration.ofMillis(800), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThat(e.error().orElseThrow())
                .contains("GetLogEvents logGroupName=" + GROUP)
                .contains(CURRENT_2);
    }

    @Test
    void theDeadlineDuringPagingKeepsTheTailAlreadyRead() {
        List<String> lines =
                IntStream.rangeClosed(1, 10).mapToObj(i -> "line " + i).toList();
        streams.stream(GROUP, CURRENT_2, lines).pageSize(4);
        aws.on(FakeLogStreams.TARGET, call -> {
            if (call.body().has("nextToken")) {
                sleep(Duration.ofSeconds(5)); // the second page never comes in time
            }
            return streams.answer(call);
        });

        Evidence e = source.collect(event(""), budget(Duration.ofMillis(800), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText()).contains("line 7\nline 8\nline 9\nline 10");
        assertThat(e.facts())
                .containsEntry("cloudwatch.truncated", "true")
                .containsEntry("cloudwatch.stopped_by", "deadline");
    }

    @Test
    void theTrysEndDateBoundsTheRead() {
        streams.stream(GROUP, CURRENT_2, LOG);
        // the log's events are 1 s apart from FIRST_TIMESTAMP; end_date + 30 s cuts after the third
        Instant end = Instant.ofEpochMilli(FakeLogStreams.FIRST_TIMESTAMP + 2000 - 30_000);

        Evidence e = source.collect(event(",\"end_date\":\"" + end + "\""), budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(aws.calls(FakeLogStreams.TARGET).get(0).body().get("endTime").asLong())
                .isEqualTo(FakeLogStreams.FIRST_TIMESTAMP + 2000);
        assertThat(e.logText()).contains(String.join("\n", LOG.subList(0, 2)));
    }

    @Test
    void appliesOnlyWhenTheEventNamesARunOrALogicalDate() {
        FailureEvent bare = FailureEvents.parse("{\"dag_id\":\"d\",\"task_id\":\"t\"}", FailureEvent.Origin.SLACK);
        FailureEvent dated = FailureEvents.parse(
                "{\"dag_id\":\"d\",\"task_id\":\"t\",\"logical_date\":\"2026-11-20T03:00:00Z\"}",
                FailureEvent.Origin.SLACK);

        assertThat(source.appliesTo(bare)).isFalse();
        assertThat(source.appliesTo(dated)).isTrue();
        assertThat(source.appliesTo(event(""))).isTrue();
        Evidence e = source.collect(bare, budget(Duration.ofSeconds(1), 1024));
        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(aws.calls()).isEmpty();
    }

    @Test
    void probeIsOkWhenTheGroupIsReadableAndTheProbeStreamMissing() {
        Probe.Result r = source.probe(Duration.ofSeconds(5));

        assertThat(r.ok()).isTrue();
        assertThat(r.name()).isEqualTo("cloudwatch");
        assertThat(r.detail()).contains(GROUP);
        assertThat(aws.calls(FakeLogStreams.TARGET).get(0).text("logStreamName"))
                .contains(MwaaTaskLogSource.PROBE_STREAM);
    }

    @Test
    void probeFailsWhenTheGroupDoesNotExist() {
        MwaaTaskLogSource wrong = new MwaaTaskLogSource("airflow-typo-Task", "us-east-1", client);

        Probe.Result r = wrong.probe(Duration.ofSeconds(5));

        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("airflow-typo-Task does not exist").contains("MWAA_ENVIRONMENT");
    }

    @Test
    void probeFailsWithThePermissionWhenAccessIsDenied() {
        aws.failNext(FakeLogStreams.TARGET, 1, AwsError.accessDenied("not authorized"));

        Probe.Result r = source.probe(Duration.ofSeconds(5));

        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).startsWith("needs logs:GetLogEvents on arn:aws:logs:us-east-1:*:log-group:" + GROUP);
    }

    @Test
    void fromSettingsNeedsATaskLogGroup() {
        CloudWatchSettings lambdaOnly = CloudWatchSettings.from(name ->
                        Optional.ofNullable(Map.of("DE_AGENT_LAMBDA_FUNCTIONS", "ingest", "AWS_REGION", "us-east-1")
                                .get(name)))
                .orElseThrow();
        assertThat(MwaaTaskLogSource.from(lambdaOnly)).isEmpty();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
