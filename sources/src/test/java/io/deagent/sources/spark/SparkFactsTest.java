package io.deagent.sources.spark;

import static io.deagent.sources.spark.SparkResources.QUANTILES;
import static io.deagent.sources.spark.SparkResources.recorded;
import static io.deagent.sources.spark.SparkResources.recordedApp;
import static io.deagent.sources.spark.SparkResources.sample;
import static io.deagent.sources.spark.SparkResources.yarn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SparkFactsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static double ratio(Map<String, String> facts, String key) {
        assertThat(facts).containsKey(key);
        return Double.parseDouble(facts.get(key));
    }

    @Nested
    class ReferenceSamples {

        @Test
        void taskTimeSkewIsTheHighestQuantileOverTheMedianWhenMaxWasNotRequested() {
            JsonNode summary = sample("stage_task_summary_custom_quantiles.json");

            // quantiles 0.01/0.5/0.99: executorRunTime 16/28/351, so p99/p50
            assertThat(SparkFacts.maxOverMedian(summary.path("quantiles"), summary.path("executorRunTime"))
                            .getAsDouble())
                    .isCloseTo(351.0 / 28.0, within(1e-9));
        }

        @Test
        void stageFactsFromTheStageAttemptAndItsTaskSummary() {
            Map<String, String> facts = SparkFacts.stage(
                    SparkFacts.STAGE,
                    sample("one_stage_attempt_details_expectation.json"),
                    Optional.of(sample("stage_task_summary_custom_quantiles.json")),
                    Optional.empty());

            assertThat(facts)
                    .containsEntry("spark.stage.id", "1")
                    .containsEntry("spark.stage.attempt", "0")
                    .containsEntry("spark.stage.status", "COMPLETE")
                    .containsEntry("spark.stage.numTasks", "8")
                    .containsEntry("spark.stage.failedTasks", "0")
                    .containsEntry("spark.stage.taskDuration.maxOverMedian", "12.5")
                    .containsEntry("spark.stage.taskDuration.maxMs", "351")
                    .containsEntry("spark.stage.taskDuration.medianMs", "28")
                    .containsEntry("spark.stage.input.maxOverMedian", "1.0")
                    .containsEntry("spark.stage.spill.memoryBytes", "0")
                    .containsEntry("spark.stage.spill.diskBytes", "0")
                    // jvmGcTime 152 / executorRunTime 3476
                    .containsEntry("spark.stage.gcRatio", "0.04")
                    // the stage read no shuffle data: no ratio rather than a made-up one
                    .doesNotContainKeys(
                            "spark.stage.shuffleRead.maxOverMedian",
                            "spark.stage.shuffleRead.maxBytes",
                            "spark.stage.failureReason");
        }

        @Test
        void executorFactsLeaveTheDriverOutWhenThereAreExecutors() {
            Map<String, String> facts =
                    SparkFacts.executors(sample("executor_list_with_executor_metrics_excerpt.json"));

            assertThat(facts)
                    // executor 4's peak (5 reported none); the driver's 629553808 is its own fact
                    .containsEntry("spark.executors.maxPeakHeapBytes", "518613056")
                    .containsEntry("spark.executors.maxMemoryBytes", "956615884")
                    .containsEntry("spark.executors.failed", "0")
                    .containsEntry("spark.executors.failedTasks", "0")
                    // (920 + 405) ms of GC in (9252 + 15645) ms of tasks
                    .containsEntry("spark.executors.gcRatio", "0.05")
                    .containsEntry("spark.driver.peakHeapBytes", "629553808")
                    .doesNotContainKey("spark.executors.removeReason");
        }

        @Test
        void aLostExecutorCountsAsFailedWithItsReason() {
            Map<String, String> facts =
                    SparkFacts.executors(yarn("applications/" + SparkResources.YARN_APP + "/2/allexecutors"));

            assertThat(facts)
                    .containsEntry("spark.executors.failed", "1")
                    .containsEntry("spark.executors.failedTasks", "4")
                    .containsEntry(
                            "spark.executors.removeReason",
                            "Container killed by YARN for exceeding physical memory limits. 10.4 GB of 10 GB"
                                    + " physical memory used. Consider boosting spark.executor.memoryOverhead.");
        }

        @Test
        void executorsReleasedByTheDriverAreNotFailures() {
            JsonNode executors = json("""
                    [ {"id":"driver","isActive":true},
                      {"id":"1","isActive":false,"removeReason":"Executor killed by driver.","removeTime":"2024-01-01T00:00:00.000GMT"},
                      {"id":"2","isActive":false,"removeReason":"Executor decommission.","removeTime":"2024-01-01T00:00:01.000GMT"},
                      {"id":"3","isActive":false,"removeReason":"Executor heartbeat timed out after 128000 ms","removeTime":"2024-01-01T00:00:02.000GMT"},
                      {"id":"4","isActive":true} ]
                    """);

            assertThat(SparkFacts.executors(executors))
                    .containsEntry("spark.executors.failed", "1")
                    .containsEntry("spark.executors.removeReason", "Executor heartbeat timed out after 128000 ms");
        }
    }

    @Nested
    class RecordedSparkRuns {

        private final String skewed = "applications/" + recordedApp("skewed");
        private final String failing = "applications/" + recordedApp("failing");

        private Map<String, String> stageFacts(String app, JsonNode stage) {
            JsonNode summary = recorded(app + "/stages/" + stage.path("stageId") + "/" + stage.path("attemptId")
                    + "/taskSummary?quantiles=" + QUANTILES);
            return SparkFacts.stage(SparkFacts.STAGE, stage, Optional.of(summary), Optional.empty());
        }

        private JsonNode stage(String app, int id) {
            for (JsonNode s : recorded(app + "/stages")) {
                if (s.path("stageId").asInt() == id) {
                    return s;
                }
            }
            throw new AssertionError("no stage " + id + " in the recording of " + app);
        }

        @Test
        void theSkewedStageIsTheLongestAndShowsLargeRatios() {
            JsonNode longest =
                    SparkFacts.longestStage(recorded(skewed + "/stages")).orElseThrow();
            assertThat(longest.path("stageId").asInt()).isEqualTo(3);

            Map<String, String> facts = stageFacts(skewed, longest);

            assertThat(ratio(facts, "spark.stage.taskDuration.maxOverMedian")).isGreaterThan(5.0);
            assertThat(ratio(facts, "spark.stage.shuffleRead.maxOverMedian")).isGreaterThan(5.0);
            assertThat(Long.parseLong(facts.get("spark.stage.spill.diskBytes"))).isPositive();
            assertThat(Long.parseLong(facts.get("spark.stage.shuffleRead.maxBytes")))
                    .isGreaterThan(Long.parseLong(facts.get("spark.stage.taskDuration.maxMs")));
        }

        @Test
        void theEvenMapStageBeforeItIsFarFromTheSkewedOne() {
            // task times carry the machine's noise (JIT, GC, other load while recording): an even stage is a
            // small ratio, not exactly 1; the skewed stage is tens of times that
            double even = ratio(stageFacts(skewed, stage(skewed, 2)), "spark.stage.taskDuration.maxOverMedian");
            double skew = ratio(stageFacts(skewed, stage(skewed, 3)), "spark.stage.taskDuration.maxOverMedian");

            assertThat(even).isBetween(1.0, 3.0);
            assertThat(skew).isGreaterThan(10 * even);
            assertThat(stageFacts(skewed, stage(skewed, 2))).containsEntry("spark.stage.spill.diskBytes", "0");
        }

        @Test
        void anEvenShuffleReadIsNearOne() {
            // stage 1 reduces a warm-up run over evenly spread keys; bytes, unlike times, do not depend on load
            Map<String, String> facts = stageFacts(skewed, stage(skewed, 1));

            assertThat(ratio(facts, "spark.stage.shuffleRead.maxOverMedian")).isBetween(1.0, 1.5);
        }

        @Test
        void theFailedStageIsChosenOverLongerOnesAndSaysWhyItFailed() {
            JsonNode failedStages =
                    recorded(failing + "/stages?status=failed&withSummaries=true&quantiles=" + QUANTILES);
            JsonNode stage = SparkFacts.worstStage(failedStages, recorded(failing + "/stages"))
                    .orElseThrow();
            // Spark 4.2 fills the distributions when asked with withSummaries=true
            JsonNode inline = stage.path("taskMetricsDistributions");
            assertThat(inline.path("quantiles").isArray()).isTrue();

            Map<String, String> facts = SparkFacts.stage(
                    SparkFacts.STAGE,
                    stage,
                    Optional.of(inline),
                    Optional.of(recorded(failing + "/stages/0/0/taskList?status=failed&length=20")));

            assertThat(facts)
                    .containsEntry("spark.stage.id", "0")
                    .containsEntry("spark.stage.status", "FAILED")
                    .containsEntry("spark.stage.failedTasks", "4")
                    .containsEntry(
                            "spark.stage.failureCause", "java.lang.IllegalArgumentException: cannot parse amount 'n/a'")
                    .containsKey("spark.stage.taskDuration.maxOverMedian");
            assertThat(facts.get("spark.stage.failureReason"))
                    .startsWith("org.apache.spark.SparkException: [FAILED_EXECUTE_UDF]")
                    .endsWith("cannot parse amount 'n/a'. SQLSTATE: 39000")
                    .doesNotContain("\n");
        }

        @Test
        void localModeReportsTheDriverAsTheExecutor() {
            Map<String, String> facts = SparkFacts.executors(recorded(skewed + "/allexecutors"));

            assertThat(Long.parseLong(facts.get("spark.executors.maxPeakHeapBytes")))
                    .isPositive();
            assertThat(facts)
                    .containsEntry("spark.executors.failed", "0")
                    .containsKey("spark.executors.maxMemoryBytes")
                    .doesNotContainKey("spark.driver.peakHeapBytes");
        }

        @Test
        void aLocalApplicationHasNoAttemptId() {
            JsonNode app = recorded(skewed);

            assertThat(SparkFacts.latestAttempt(app)).isEmpty();
            assertThat(SparkFacts.application(app, Optional.empty()))
                    .containsEntry("spark.app.id", recordedApp("skewed"))
                    .containsEntry("spark.app.name", "customer-running-totals")
                    .containsEntry("spark.app.completed", "true")
                    .doesNotContainKey("spark.app.attempt");
        }
    }

    @Nested
    class Choices {

        @Test
        void theLatestYarnAttemptIsRead() {
            assertThat(SparkFacts.latestAttempt(yarn("applications/" + SparkResources.YARN_APP)))
                    .contains("2");
        }

        @Test
        void theFailedStageWithTheMostFailedTasksIsTheOneThatFailedTheJob() {
            JsonNode stages = json("""
                    [ {"stageId":5,"attemptId":0,"status":"FAILED","numFailedTasks":0,"executorRunTime":900000},
                      {"stageId":4,"attemptId":1,"status":"FAILED","numFailedTasks":4,"executorRunTime":1000},
                      {"stageId":6,"attemptId":0,"status":"COMPLETE","numFailedTasks":0,"executorRunTime":5000000} ]
                    """);

            assertThat(SparkFacts.worstStage(stages, stages)
                            .orElseThrow()
                            .path("stageId")
                            .asInt())
                    .isEqualTo(4);
        }

        @Test
        void stagesThatNeverRanAreNotTheLongest() {
            JsonNode stages = json("""
                    [ {"stageId":1,"attemptId":0,"status":"SKIPPED","executorRunTime":0},
                      {"stageId":0,"attemptId":0,"status":"COMPLETE","executorRunTime":0} ]
                    """);

            assertThat(SparkFacts.longestStage(stages)
                            .orElseThrow()
                            .path("stageId")
                            .asInt())
                    .isZero();
        }
    }

    @Nested
    class Quantiles {

        @Test
        void theOneQuantileIsTheMaximumWhenRequested() {
            assertThat(SparkFacts.maxOverMedian(json("[0.5, 0.95, 1.0]"), json("[10, 20, 140]"))
                            .getAsDouble())
                    .isEqualTo(14.0);
        }

        @Test
        void aZeroMedianCountsAsOne() {
            assertThat(SparkFacts.maxOverMedian(json("[0.05, 0.5, 1.0]"), json("[0, 0, 500]"))
                            .getAsDouble())
                    .isEqualTo(500.0);
        }

        @Test
        void nothingMeasuredGivesNoRatio() {
            assertThat(SparkFacts.maxOverMedian(json("[0.05, 0.5, 1.0]"), json("[0, 0, 0]")))
                    .isEmpty();
        }

        @Test
        void withoutAMedianThereIsNoRatio() {
            assertThat(SparkFacts.maxOverMedian(json("[0.25, 0.75]"), json("[1, 100]")))
                    .isEmpty();
            assertThat(SparkFacts.maxOverMedian(json("[0.5, 1.0]"), json("[1]")))
                    .isEmpty();
            assertThat(SparkFacts.maxOverMedian(json("{}"), json("[1, 2]"))).isEmpty();
        }
    }

    @Nested
    class Digest {

        @Test
        void readsLikeTheOnCallEngineerWouldSayIt() {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("spark.stage.id", "12");
            facts.put("spark.stage.attempt", "0");
            facts.put("spark.stage.status", "FAILED");
            facts.put("spark.stage.failedTasks", "4");
            facts.put("spark.stage.taskDuration.maxOverMedian", "14.2");
            facts.put("spark.stage.shuffleRead.maxOverMedian", "9.8");
            facts.put("spark.stage.spill.diskBytes", "3328599654");
            facts.put("spark.stage.gcRatio", "0.31");
            facts.put("spark.stage.failureReason", "java.lang.OutOfMemoryError: Java heap space");

            assertThat(SparkFacts.digest(facts))
                    .isEqualTo("stage 12.0 failed: 4 tasks failed; task time max/median 14.2×; shuffle read"
                            + " max/median 9.8×; spilled 3.1 GiB to disk; GC 31% of run time; first failure:"
                            + " java.lang.OutOfMemoryError: Java heap space");
        }

        @Test
        void namesTheApplicationAndTheLostExecutors() {
            Map<String, String> facts = new LinkedHashMap<>();
            facts.put("spark.app.id", "application_1_2");
            facts.put("spark.app.name", "daily_orders.transform");
            facts.put("spark.app.attempt", "2");
            facts.put("spark.jobs.failed", "1");
            facts.put("spark.executors.failed", "1");
            facts.put("spark.executors.removeReason", "Container killed by YARN for exceeding memory limits");
            facts.put("spark.executors.maxPeakHeapBytes", "518613056");

            assertThat(SparkFacts.digest(facts))
                    .isEqualTo("Spark application application_1_2 (daily_orders.transform), attempt 2, 1 job failed\n"
                            + "executors: 1 executor lost (Container killed by YARN for exceeding memory limits);"
                            + " peak executor heap 494.6 MiB");
        }

        @Test
        void bytesInBinaryUnits() {
            assertThat(SparkFacts.bytes(512)).isEqualTo("512 B");
            assertThat(SparkFacts.bytes(50_778_631)).isEqualTo("48.4 MiB");
            assertThat(SparkFacts.bytes(3_328_599_654L)).isEqualTo("3.1 GiB");
        }
    }
}
