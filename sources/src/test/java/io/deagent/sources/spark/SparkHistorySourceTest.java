package io.deagent.sources.spark;

import static io.deagent.sources.spark.SparkApplicationIdsTest.event;
import static io.deagent.sources.spark.SparkResources.QUANTILES;
import static io.deagent.sources.spark.SparkResources.YARN_APP;
import static io.deagent.sources.spark.SparkResources.recordedApp;
import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Evidence;
import io.deagent.sources.Probe;
import io.deagent.testkit.FakeSparkHistory;
import io.deagent.testkit.FakeSparkHistory.Trouble;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SparkHistorySourceTest {

    private static final String FAILED_STAGES = "/stages?status=failed&withSummaries=true&quantiles=" + QUANTILES;

    private final String skewed = recordedApp("skewed");
    private final String failing = recordedApp("failing");

    private FakeSparkHistory server = FakeSparkHistory.servingClasspath("spark/recorded");

    @AfterEach
    void close() {
        server.close();
    }

    private SparkHistorySource source() {
        return new SparkHistorySource(new SparkHistorySettings(URI.create(server.baseUrl())));
    }

    private static Budget budget(Duration time) {
        return budget(time, 1 << 20);
    }

    private static Budget budget(Duration time, long maxBytes) {
        return new Budget(Instant.now().plus(time), maxBytes, Clock.systemUTC());
    }

    private static FailureEvent logged(String log) {
        return event(Map.of("log", log));
    }

    private static FailureEvent sparkSubmitLog(String appId) {
        return logged("[2026-11-21 07:28:30] INFO - Identified spark driver id: " + appId + "\n"
                + "[2026-11-21 07:28:33] ERROR - Task failed with exception\n"
                + "airflow.exceptions.AirflowException: Cannot execute: spark-submit --master yarn transform.py");
    }

    @Test
    void aFailedApplicationGivesTheFailedStageItsReasonAndALink() {
        SparkHistorySource source = source();
        FailureEvent event = sparkSubmitLog(failing);

        assertThat(source.appliesTo(event)).isTrue();
        Evidence e = source.collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.sourceId()).isEqualTo("spark_history");
        assertThat(e.facts())
                .containsEntry("spark.app.id", failing)
                .containsEntry("spark.app.name", "payment-amounts")
                .containsEntry("spark.jobs.failed", "1")
                .containsEntry("spark.stage.id", "0")
                .containsEntry("spark.stage.attempt", "0")
                .containsEntry("spark.stage.status", "FAILED")
                .containsEntry("spark.stage.failedTasks", "4")
                .containsEntry(
                        "spark.stage.failureCause", "java.lang.IllegalArgumentException: cannot parse amount 'n/a'")
                .containsEntry("spark.executors.failed", "0")
                .containsKeys(
                        "spark.stage.taskDuration.maxOverMedian", "spark.stage.gcRatio", "spark.stage.failureReason")
                .doesNotContainKeys(
                        SparkHistorySource.MISSING_FACT, SparkHistorySource.TRUNCATED_FACT, "spark.app.attempt");
        assertThat(e.link()).contains(server.baseUrl() + "/history/" + failing + "/stages/stage/?id=0&attempt=0");
        assertThat(e.logText().orElseThrow())
                .startsWith("Spark application " + failing + " (payment-amounts), 1 job failed\n"
                        + "stage 0.0 failed: 4 tasks failed; task time max/median ")
                .contains("first failure: org.apache.spark.SparkException: [FAILED_EXECUTE_UDF]");
        assertThat(e.query().orElseThrow())
                .startsWith(
                        "GET " + server.baseUrl() + "/api/v1/applications/" + failing + " (+ /jobs, " + FAILED_STAGES)
                .contains("/stages/0/0/taskList?status=failed&length=20", "/allexecutors");
        // Spark 4.2 sent the distributions with the failed stage: no separate taskSummary request
        assertThat(server.calls("taskSummary")).isEmpty();
        assertThat(e.error()).isEmpty();
    }

    @Test
    void aSkewedApplicationReportsItsLongestStage() {
        Evidence e = source().collect(sparkSubmitLog(skewed), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts())
                .containsEntry("spark.stage.id", "3")
                .containsEntry("spark.stage.status", "COMPLETE")
                .containsEntry("spark.stage.failedTasks", "0")
                .doesNotContainKeys(
                        "spark.stage.failureReason", "spark.longestStage.id", SparkHistorySource.MISSING_FACT);
        assertThat(Double.parseDouble(e.facts().get("spark.stage.taskDuration.maxOverMedian")))
                .isGreaterThan(5.0);
        assertThat(Double.parseDouble(e.facts().get("spark.stage.shuffleRead.maxOverMedian")))
                .isGreaterThan(5.0);
        assertThat(e.link()).contains(server.baseUrl() + "/history/" + skewed + "/stages/stage/?id=3&attempt=0");
        assertThat(e.logText().orElseThrow()).contains("stage 3.0 (complete): task time max/median ");
        assertThat(server.calls())
                .extracting(FakeSparkHistory.Call::pathAndQuery)
                .containsExactly(
                        "applications/" + skewed,
                        "applications/" + skewed + "/jobs",
                        "applications/" + skewed + FAILED_STAGES,
                        "applications/" + skewed + "/stages",
                        "applications/" + skewed + "/stages/3/0/taskSummary?quantiles=" + QUANTILES,
                        "applications/" + skewed + "/allexecutors");
    }

    @Test
    void theLastApplicationIdInTheLogIsTheOneAskedAbout() {
        String log = "INFO - earlier run: " + skewed + " finished\n"
                + "INFO - Submitted " + failing + "\n"
                + "ERROR - Job aborted due to stage failure";

        Evidence e = source().collect(logged(log), budget(Duration.ofSeconds(10)));

        assertThat(e.facts()).containsEntry("spark.app.id", failing);
        assertThat(server.calls("applications/" + skewed)).isEmpty();
    }

    @Test
    void aYarnApplicationIsReadAtItsLatestAttempt() {
        server.close();
        server = FakeSparkHistory.servingClasspath("spark/yarn");
        FailureEvent event = logged("INFO Client: Application report for " + YARN_APP + " (state: FAILED)\n"
                + "Exception in thread \"main\" org.apache.spark.SparkException: Application " + YARN_APP
                + " finished with failed status");

        Evidence e = source().collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts())
                .containsEntry("spark.app.attempt", "2")
                .containsEntry("spark.stage.id", "12")
                // an older server: the summary came from taskSummary, quantiles 0.01/0.5/0.99
                .containsEntry("spark.stage.taskDuration.maxOverMedian", "12.5")
                .containsEntry("spark.stage.spill.diskBytes", "3328599654")
                .containsEntry("spark.stage.gcRatio", "0.31")
                .containsEntry("spark.stage.failureReason", "java.lang.OutOfMemoryError: Java heap space")
                .containsEntry("spark.longestStage.id", "11")
                .containsEntry("spark.longestStage.taskDuration.maxOverMedian", "12.5")
                .containsEntry("spark.executors.failed", "1")
                .containsEntry("spark.executors.maxPeakHeapBytes", "518613056");
        assertThat(e.logText().orElseThrow())
                .contains("stage 12.0 failed: 4 tasks failed; task time max/median 12.5×; spilled 3.1 GiB to disk;"
                        + " GC 31% of run time; first failure: java.lang.OutOfMemoryError: Java heap space")
                .contains("longest stage 11.0: task time max/median 12.5×")
                .contains("1 executor lost (Container killed by YARN for exceeding physical memory limits.");
        assertThat(e.link()).contains(server.baseUrl() + "/history/" + YARN_APP + "/2/stages/stage/?id=12&attempt=0");
        assertThat(server.calls())
                .extracting(FakeSparkHistory.Call::pathAndQuery)
                .allMatch(p -> p.equals("applications/" + YARN_APP) || p.startsWith("applications/" + YARN_APP + "/2/"))
                .contains("applications/" + YARN_APP + "/2/stages/12/0/taskSummary?quantiles=" + QUANTILES)
                .contains("applications/" + YARN_APP + "/2/stages/12/0/taskList?status=failed&length=20");
        assertThat(e.query().orElseThrow()).contains("(+ /2/jobs, /2/stages?status=failed");
    }

    @Test
    void anApplicationTheServerDoesNotKnowIsNoData() {
        Evidence e = source().collect(sparkSubmitLog("local-1700000000000"), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.NO_DATA);
        assertThat(e.error().orElseThrow())
                .startsWith("application local-1700000000000 not found in the history server (it may still be"
                        + " running or the event log is not written): GET " + server.baseUrl()
                        + "/api/v1/applications/local-1700000000000: HTTP 404 no such app: local-1700000000000");
        assertThat(e.query()).contains("GET " + server.baseUrl() + "/api/v1/applications/local-1700000000000");
        assertThat(e.facts()).isEmpty();
    }

    @Test
    void aServerErrorIsRetried() {
        server.failNext(FAILED_STAGES, Trouble.status(503));

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(server.calls(FAILED_STAGES)).hasSize(2);
        assertThat(e.facts()).containsEntry("spark.stage.status", "FAILED");
    }

    @Test
    void throttlingWaitsWhatTheServerAsks() {
        server.failNext("applications/" + failing, Trouble.throttled(1));

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        var appCalls = server.calls().stream()
                .filter(c -> c.path().equals("applications/" + failing))
                .toList();
        assertThat(appCalls).hasSize(2);
        assertThat(Duration.between(appCalls.get(0).at(), appCalls.get(1).at()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void aHangingServerEndsTimedOutByTheDeadline() {
        server.failAlways("applications/", Trouble.hang());
        Instant start = Instant.now();

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofMillis(1500)));

        assertThat(e.status()).isEqualTo(Evidence.Status.TIMED_OUT);
        assertThat(e.error().orElseThrow())
                .startsWith("GET " + server.baseUrl() + "/api/v1/applications/" + failing + ": no answer within");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void anExtraThatHangsIsLeftOutAndTheRestIsKept() {
        server.failAlways("/allexecutors", Trouble.hang());
        Instant start = Instant.now();

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofSeconds(3)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts()).containsEntry("spark.stage.status", "FAILED").doesNotContainKey("spark.executors.failed");
        assertThat(e.facts().get(SparkHistorySource.MISSING_FACT))
                .startsWith("GET " + server.baseUrl() + "/api/v1/applications/" + failing + "/allexecutors: no answer");
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void anExtraThatIsRefusedIsNamedAsMissing() {
        server.failAlways("/jobs", Trouble.status(403));

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts())
                .containsEntry(
                        SparkHistorySource.MISSING_FACT,
                        "GET " + server.baseUrl() + "/api/v1/applications/" + failing
                                + "/jobs: HTTP 403 Error 403 Forbidden HTTP ERROR 403 Forbidden")
                .doesNotContainKey("spark.jobs.failed")
                .containsEntry("spark.stage.status", "FAILED");
        assertThat(server.calls("/jobs")).hasSize(1);
    }

    @Test
    void unauthorizedIsAnErrorNamingTheRequest() {
        server.failAlways("", Trouble.status(401));

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error().orElseThrow())
                .startsWith("GET " + server.baseUrl() + "/api/v1/applications/" + failing + ": HTTP 401");
    }

    @Test
    void aLoginPageInsteadOfJsonIsAnError() {
        server.put("applications/" + failing, "<html><title>Sign in</title><body>SSO</body></html>");

        Evidence e = source().collect(sparkSubmitLog(failing), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Evidence.Status.ERROR);
        assertThat(e.error().orElseThrow()).contains(": the answer is not JSON (Sign in SSO)");
    }

    @Test
    void anAnswerOverTheByteCapIsLeftOutAndSaidSo() {
        // the recorded stage list is about 11 KB; everything else the skewed run needs is smaller than 4 KB
        Evidence e = source().collect(sparkSubmitLog(skewed), budget(Duration.ofSeconds(10), 4096));

        assertThat(e.status()).isEqualTo(Evidence.Status.OK);
        assertThat(e.facts())
                .containsEntry(SparkHistorySource.TRUNCATED_FACT, "true")
                .containsEntry("spark.app.id", skewed)
                .containsKey("spark.executors.maxPeakHeapBytes")
                .doesNotContainKey("spark.stage.id");
        assertThat(e.facts().get(SparkHistorySource.MISSING_FACT))
                .contains("/stages: answer larger than the 4096-byte cap");
        assertThat(e.logText().orElseThrow()).doesNotContain("no stage has run");
    }

    @Test
    void anEventWithoutAnApplicationIdIsNotForThisSource() {
        SparkHistorySource source = source();
        FailureEvent event = event(Map.of("log", "psycopg2.errors.UndefinedColumn: column \"x\" does not exist"));

        assertThat(source.appliesTo(event)).isFalse();
        assertThat(source.collect(event, budget(Duration.ofSeconds(1))).status())
                .isEqualTo(Evidence.Status.SKIPPED);
        assertThat(server.calls()).isEmpty();
    }

    @Test
    void theIdMayComeFromTheExceptionText() {
        FailureEvent event = event(Map.of(
                "exception",
                "org.apache.spark.SparkException: Application " + failing + " finished with failed status"));

        assertThat(source().appliesTo(event)).isTrue();
        assertThat(source().collect(event, budget(Duration.ofSeconds(10))).facts())
                .containsEntry("spark.app.id", failing);
    }

    @Test
    void theProbeNamesTheServerVersion() {
        Probe.Result ok = source().probe(Duration.ofSeconds(5));

        assertThat(ok.ok()).isTrue();
        assertThat(ok.name()).isEqualTo("spark_history");
        assertThat(ok.detail()).isEqualTo("Spark History Server 4.2.0 at " + server.baseUrl());
    }

    @Test
    void theProbeSaysWhatFailed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        SparkHistorySource nowhere =
                new SparkHistorySource(new SparkHistorySettings(URI.create("http://127.0.0.1:" + port)));

        Probe.Result down = nowhere.probe(Duration.ofSeconds(5));

        assertThat(down.ok()).isFalse();
        assertThat(down.detail()).isEqualTo("GET http://127.0.0.1:" + port + "/api/v1/version: connection refused");
    }
}
