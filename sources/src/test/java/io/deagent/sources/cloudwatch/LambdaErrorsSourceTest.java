package io.deagent.sources.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

class LambdaErrorsSourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String START = "Logs_20140328.StartQuery";
    private static final String RESULTS = "Logs_20140328.GetQueryResults";
    private static final String STOP = "Logs_20140328.StopQuery";
    private static final LambdaErrorsSource.Polling FAST =
            new LambdaErrorsSource.Polling(Duration.ofMillis(5), Duration.ofMillis(20));

    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();
    private final CloudWatchLogsClient client = MwaaTaskLogSourceTest.client(aws);
    private final FailureEvent event = MwaaTaskLogSourceTest.event("");

    /** query id -> the GetQueryResults answers still to give (the last one repeats). */
    private final Map<String, List<ObjectNode>> answers = new ConcurrentHashMap<>();

    private final Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();

    LambdaErrorsSourceTest() {
        aws.on(START, call -> {
            String group = call.text("logGroupName").orElseThrow();
            if (group.endsWith("/missing")) {
                throw AwsError.resourceNotFound(
                        "Log group '" + group + "' does not exist for account ID '123456789012'");
            }
            return Map.of("queryId", "q-" + group.substring(group.lastIndexOf('/') + 1));
        });
        aws.on(RESULTS, call -> {
            String id = call.text("queryId").orElseThrow();
            List<ObjectNode> list = answers.get(id);
            int n = asked.computeIfAbsent(id, k -> new AtomicInteger()).getAndIncrement();
            return list.get(Math.min(n, list.size() - 1));
        });
        aws.on(STOP, call -> Map.of("success", true));
    }

    @AfterEach
    void stop() {
        client.close();
        aws.close();
    }

    private LambdaErrorsSource source(String... functions) {
        return new LambdaErrorsSource(List.of(functions), Duration.ofMinutes(60), "us-east-1", client, FAST);
    }

    private static Budget budget(Duration time, long maxBytes) {
        return new Budget(Instant.now().plus(time), maxBytes, Clock.systemUTC());
    }

    private static ObjectNode status(String status, String[]... rows) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode results = out.putArray("results");
        for (String[] row : rows) {
            ArrayNode fields = results.addArray();
            fields.addObject().put("field", "@timestamp").put("value", row[0]);
            fields.addObject().put("field", "@message").put("value", row[2]);
            fields.addObject().put("field", "@logStream").put("value", row[1]);
            fields.addObject().put("field", "@ptr").put("value", "CmAKJgoiMTIz");
        }
        out.putObject("statistics")
                .put("recordsMatched", (double) rows.length)
                .put("recordsScanned", 5000.0)
                .put("bytesScanned", 1_000_000.0);
        out.put("status", status);
        return out;
    }

    private static final String STREAM = "2026/11/20/[$LATEST]f9b263b35eac4d90b39f4cc0eca6d50a";

    @Test
    void pollsARunningQueryUntilCompleteAndReturnsTheLinesOldestFirst() {
        String[] newest = {"2026-11-20 02:59:58.000", STREAM, "Task timed out after 900.10 seconds\n"};
        String[] middle = {
            "2026-11-20 02:59:40.000",
            STREAM,
            "[ERROR] KeyError: 'bucket'\rTraceback (most recent call last):\r  File \"/var/task/app.py\", line 3, in handler\n"
        };
        String[] oldest = {
            "2026-11-20 02:50:00.000", STREAM, "botocore.exceptions.ClientError: An error occurred (AccessDenied)"
        };
        answers.put(
                "q-ingest",
                List.of(status("Scheduled"), status("Running", newest), status("Complete", newest, middle, oldest)));
        Instant before = Instant.now();

        Evidence e = source("ingest").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.sourceId()).isEqualTo("lambda_errors");
        assertThat(e.logText().orElseThrow())
                .isEqualTo(String.join(
                        "\n",
                        "==> /aws/lambda/ingest <==",
                        "2026-11-20 02:50:00.000 " + STREAM
                                + " botocore.exceptions.ClientError: An error occurred (AccessDenied)",
                        "2026-11-20 02:59:40.000 " + STREAM + " [ERROR] KeyError: 'bucket'",
                        "Traceback (most recent call last):",
                        "  File \"/var/task/app.py\", line 3, in handler",
                        "2026-11-20 02:59:58.000 " + STREAM + " Task timed out after 900.10 seconds"));
        assertThat(e.facts())
                .containsEntry("lambda.ingest.errors", "3")
                .containsEntry("lambda.ingest.timeouts", "1")
                .containsEntry("lambda.ingest.records_matched", "3")
                .containsEntry("lambda.window_minutes", "60")
                .containsEntry("lambda.truncated", "false")
                .doesNotContainKey("lambda.ingest.status");
        assertThat(e.query().orElseThrow())
                .startsWith(LambdaErrorsSource.QUERY)
                .contains("/aws/lambda/ingest")
                .contains("startTime=");
        assertThat(e.error()).isEmpty();
        assertThat(e.link()).hasValueSatisfying(l -> assertThat(l)
                .endsWith("#logsV2:log-groups/log-group/$252Faws$252Flambda$252Fingest"));
        assertThat(aws.calls(RESULTS)).hasSize(3);

        FakeAwsJsonApi.Call start = aws.calls(START).get(0);
        assertThat(start.text("queryString")).contains(LambdaErrorsSource.QUERY);
        assertThat(start.text("logGroupName")).contains("/aws/lambda/ingest");
        long startTime = start.body().get("startTime").asLong();
        long endTime = start.body().get("endTime").asLong();
        assertThat(endTime - startTime).isEqualTo(3600); // seconds, not milliseconds
        assertThat(endTime).isBetween(before.getEpochSecond(), Instant.now().getEpochSecond() + 1);
        assertThat(aws.calls(STOP)).isEmpty();
    }

    @Test
    void aFailedQueryIsAnError() {
        answers.put("q-ingest", List.of(status("Running"), status("Failed")));

        Evidence e = source("ingest").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .contains("q-ingest")
                .contains("/aws/lambda/ingest")
                .contains("ended Failed");
        assertThat(e.facts()).containsEntry("lambda.ingest.status", "failed");
        assertThat(e.query()).isPresent();
    }

    @Test
    void noMatchingLinesIsEvidenceOfNoErrorsWithoutLogText() {
        answers.put("q-ingest", List.of(status("Complete")));

        Evidence e = source("ingest").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText()).isEmpty();
        assertThat(e.facts()).containsEntry("lambda.ingest.errors", "0").containsEntry("lambda.ingest.timeouts", "0");
    }

    @Test
    void eachFunctionHasItsOwnQueryAndAMissingGroupDoesNotHideTheOthers() {
        answers.put(
                "q-ingest",
                List.of(status("Complete", new String[] {"2026-11-20 02:59:58.000", STREAM, "ValueError: bad row"})));

        Evidence e = source("ingest", "missing").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts())
                .containsEntry("lambda.ingest.errors", "1")
                .containsEntry("lambda.missing.status", "not_found");
        assertThat(e.error().orElseThrow()).contains("/aws/lambda/missing").contains("does not exist");
        assertThat(e.link()).isEmpty();
        assertThat(aws.calls(START))
                .extracting(c -> c.text("logGroupName").orElseThrow())
                .containsExactly("/aws/lambda/ingest", "/aws/lambda/missing");
    }

    @Test
    void onlyMissingGroupsIsNoData() {
        Evidence e = source("missing").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(e.error().orElseThrow()).contains("StartQuery logGroupName=/aws/lambda/missing");
    }

    @Test
    void aQueryStillRunningAtTheDeadlineIsStoppedAndTimedOut() {
        answers.put("q-ingest", List.of(status("Running")));
        long started = System.nanoTime();

        Evidence e = source("ingest").collect(event, budget(Duration.ofMillis(500), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(2));
        assertThat(e.error().orElseThrow()).contains("q-ingest").contains("still running at the deadline");
        assertThat(e.facts()).containsEntry("lambda.ingest.status", "timed_out");
        FakeAwsJsonApi.Call stop = aws.awaitCall(STOP, c -> true, Duration.ofSeconds(5));
        assertThat(stop.text("queryId")).contains("q-ingest");
    }

    @Test
    void throttledStartsAreRetried() {
        aws.failNext(START, 2, AwsError.throttling());
        answers.put("q-ingest", List.of(status("Complete")));

        Evidence e = source("ingest").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(aws.calls(START)).hasSize(3);
    }

    @Test
    void accessDeniedNamesTheInsightsPermissions() {
        aws.failNext(START, 1, AwsError.accessDenied("not authorized to perform: logs:StartQuery"));

        Evidence e = source("ingest").collect(event, budget(Duration.ofSeconds(10), 1 << 20));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .startsWith(
                        "needs logs:StartQuery and logs:GetQueryResults on arn:aws:logs:us-east-1:*:log-group:/aws/lambda/ingest:*")
                .contains("AccessDeniedException");
    }

    @Test
    void theByteCapKeepsTheNewestLines() {
        String[][] rows = new String[20][];
        for (int i = 0; i < 20; i++) {
            rows[i] =
                    new String[] {String.format("2026-11-20 02:59:%02d.000", 59 - i), STREAM, "Error number " + (20 - i)
                    };
        }
        answers.put("q-ingest", List.of(status("Complete", rows)));
        String lastLine = "2026-11-20 02:59:59.000 " + STREAM + " Error number 20";

        Evidence e = source("ingest").collect(event, budget(Duration.ofSeconds(10), 3L * (lastLine.length() + 1)));

        assertThat(e.logText().orElseThrow().split("\n")).hasSize(3).endsWith(lastLine);
        assertThat(e.facts())
                .containsEntry("lambda.truncated", "true")
                .containsEntry("lambda.ingest.errors", "20")
                .containsEntry("lambda.ingest.errors_limited", "true");
    }

    @Test
    void probeStartsAndStopsOneQueryOverAllGroups() {
        aws.on(START, call -> Map.of("queryId", "probe-1"));

        Probe.Result r = source("ingest", "load").probe(Duration.ofSeconds(5));

        assertThat(r.ok()).isTrue();
        assertThat(r.name()).isEqualTo("lambda_errors");
        assertThat(aws.calls(START).get(0).body().get("logGroupNames").toString())
                .isEqualTo("[\"/aws/lambda/ingest\",\"/aws/lambda/load\"]");
        assertThat(aws.awaitCall(STOP, c -> true, Duration.ofSeconds(5)).text("queryId"))
                .contains("probe-1");
    }

    @Test
    void probeFailsForAMissingGroup() {
        aws.on(START, call -> {
            throw AwsError.resourceNotFound(
                    "Log group '/aws/lambda/typo' does not exist for account ID '123456789012'");
        });

        Probe.Result r = source("typo").probe(Duration.ofSeconds(5));

        assertThat(r.ok()).isFalse();
        assertThat(r.detail()).contains("/aws/lambda/typo' does not exist");
    }

    @Test
    void fromSettingsNeedsFunctions() {
        CloudWatchSettings tasksOnly = new CloudWatchSettings(
                java.util.Optional.of("airflow-prod-Task"),
                List.of(),
                Duration.ofMinutes(60),
                "us-east-1",
                java.util.Optional.of(aws.endpoint()));
        assertThat(LambdaErrorsSource.from(tasksOnly)).isEmpty();
        assertThat(source("ingest").appliesTo(event)).isTrue();
    }
}
