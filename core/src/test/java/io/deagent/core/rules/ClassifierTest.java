package io.deagent.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The taxonomy's "how to label" rules, one small log each. */
class ClassifierTest {

    private static Diagnosis diagnose(String log) {
        return LogDiagnoser.builtIn().diagnose(new LogReader().read(log), Optional.empty(), List.of());
    }

    @Test
    void theCauseNotTheWrapper() {
        Diagnosis d = diagnose("""
                [2026-11-20, 03:14:07 UTC] {taskinstance.py:2698} ERROR - Task failed with exception
                Traceback (most recent call last):
                  File "/opt/airflow/dags/orders.py", line 31, in load
                    cur.execute(sql)
                psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
                LINE 1: SELECT customer_idd FROM analytics.orders
                               ^
                [2026-11-20, 03:14:07 UTC] {taskinstance.py:1138} INFO - Marking task as FAILED. dag_id=daily_orders, task_id=load_orders, run_id=scheduled__2026-11-20T03:00:00+00:00
                """);
        assertThat(d.category()).isEqualTo("missing_column");
        assertThat(d.fix().fixClass()).isEqualTo("fix_column_reference");
        assertThat(d.entities())
                .containsEntry("column", "customer_idd")
                .containsEntry("dag_id", "daily_orders")
                .containsEntry("task_id", "load_orders");
        assertThat(d.evidence()).anyMatch(e -> e.line() == 5);
        assertThat(d.confidence()).isBetween(0.8, 1.0);
    }

    @Test
    void fetchFailureInsideJobAbortedIsShuffle() {
        Diagnosis d = diagnose("""
                Exception in thread "main" org.apache.spark.SparkException: Job aborted due to stage failure: ResultStage 7 has failed the maximum allowable number of times: 4. Most recent failure reason: org.apache.spark.shuffle.FetchFailedException: Failed to connect to ip-10-0-1-5.ec2.internal/10.0.1.5:7337
                \tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(DAGScheduler.scala:2672)
                """);
        assertThat(d.category()).isEqualTo("shuffle_fetch_failure");
    }

    @Test
    void memoryKillBeatsTheSigtermItCauses() {
        Diagnosis d = diagnose("""
                24/03/05 02:14:07 WARN YarnAllocator: Container killed by YARN for exceeding physical memory limits. 12.4 GB of 12 GB physical memory used. Consider boosting spark.executor.memoryOverhead.
                24/03/05 02:14:09 ERROR CoarseGrainedExecutorBackend: RECEIVED SIGNAL TERM
                [2024-03-05, 02:14:10 UTC] {taskinstance.py:1479} ERROR - Received SIGTERM. Terminating subprocesses.
                """);
        assertThat(d.category()).isEqualTo("container_killed_memory");
        assertThat(d.entities()).containsEntry("config", "spark.executor.memoryOverhead");
    }

    @Test
    void bareSigkillIsAKillAndWithAMemoryReasonIsAContainerKill() {
        assertThat(diagnose(
                                "[2024-03-05, 02:14:10 UTC] {local_task_job.py:212} INFO - Task exited with return code Negsignal.SIGKILL\n")
                        .category())
                .isEqualTo("task_killed_or_zombie");
        assertThat(diagnose("""
                        Memory cgroup out of memory: Killed process 4321 (python) total-vm:9000000kB
                        [2024-03-05, 02:14:10 UTC] {local_task_job.py:212} INFO - Task exited with return code Negsignal.SIGKILL
                        """).category()).isEqualTo("container_killed_memory");
    }

    @Test
    void aRecoveredWarningDoesNotOutvoteTheFailure() {
        Diagnosis d = diagnose("""
                [2026-11-20, 03:10:00 UTC] {base.py:88} WARNING - Connection reset by peer, retrying (1/3)
                [2026-11-20, 03:10:05 UTC] {base.py:90} INFO - Reconnected
                [2026-11-20, 03:14:07 UTC] {taskinstance.py:2698} ERROR - Task failed with exception
                Traceback (most recent call last):
                  File "/opt/airflow/dags/x.py", line 9, in run
                    hook.run(sql)
                psycopg2.errors.UndefinedTable: relation "staging.orders_v2" does not exist
                """);
        assertThat(d.category()).isEqualTo("missing_table_or_path");
        assertThat(d.entities()).containsEntry("table", "staging.orders_v2");
    }

    @Test
    void connectionTimedOutIsNetworkNotTimeout() {
        Diagnosis d = diagnose("""
                psycopg2.OperationalError: connection to server at "warehouse.internal" (10.0.0.5), port 5439 failed: Connection timed out
                \tIs the server running on that host and accepting TCP/IP connections?
                """);
        assertThat(d.category()).isEqualTo("network_connectivity");
        assertThat(d.entities()).containsEntry("host", "warehouse.internal");
    }

    @Test
    void expiredTokenIsCredentialsAndAccessDeniedIsPermission() {
        assertThat(diagnose(
                                "botocore.exceptions.ClientError: An error occurred (ExpiredToken) when calling the GetObject"
                                        + " operation: The provided token has expired.\n")
                        .category())
                .isEqualTo("credentials_invalid_or_expired");
        assertThat(diagnose(
                                "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject"
                                        + " operation: Access Denied\n")
                        .category())
                .isEqualTo("permission_denied");
    }

    @Test
    void onlyTheLastAttemptCounts() {
        Diagnosis d = diagnose("""
                [2026-11-20, 03:00:00 UTC] {taskinstance.py:1242} INFO - Starting attempt 1 of 2
                java.lang.OutOfMemoryError: Java heap space
                [2026-11-20, 03:10:00 UTC] {taskinstance.py:1242} INFO - Starting attempt 2 of 2
                [2026-11-20, 03:14:07 UTC] {taskinstance.py:2698} ERROR - Task failed with exception
                Traceback (most recent call last):
                  File "/opt/airflow/dags/x.py", line 9, in run
                    s3.get_object(Bucket="raw", Key="a")
                botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject operation: Access Denied
                """);
        assertThat(d.category()).isEqualTo("permission_denied");
        assertThat(d.entities()).containsEntry("try_number", "2");
    }

    @Test
    void nothingToGoOnIsUnknownWithTheNextStep() {
        Diagnosis d = diagnose("""
                [2026-11-20, 03:14:07 UTC] {taskinstance.py:2698} ERROR - Task failed with exception
                Traceback (most recent call last):
                  File "/opt/airflow/operators/bash.py", line 210, in execute
                    raise AirflowException(
                airflow.exceptions.AirflowException: Bash command failed. The command returned a non-zero exit code 1.
                """);
        assertThat(d.category()).isEqualTo("unknown");
        assertThat(d.fix().fixClass()).isEqualTo("gather_more_evidence");
        assertThat(d.fix().steps()).isNotEmpty();
        assertThat(d.confidence()).isLessThan(0.3);
    }

    @Test
    void emptyLogIsUnknown() {
        Diagnosis d = diagnose("");
        assertThat(d.category()).isEqualTo("unknown");
        assertThat(d.confidence()).isZero();
        assertThat(d.title()).contains("Empty log");
    }

    @Test
    void dbtOutputGivesModelAndRunSummary() {
        Diagnosis d = diagnose("""
                03:14:07  Running with dbt=1.7.4
                03:14:09  1 of 3 ERROR creating sql table model analytics.stg_orders ........ [ERROR in 0.41s]
                03:14:10  Completed with 1 error and 0 warnings:
                03:14:10  Database Error in model stg_orders (models/staging/stg_orders.sql)
                03:14:10    column "order_totl" does not exist
                03:14:10    compiled Code at target/run/analytics/models/staging/stg_orders.sql
                03:14:10  Done. PASS=2 WARN=0 ERROR=1 SKIP=0 TOTAL=3
                """);
        assertThat(d.category()).isEqualTo("missing_column");
        assertThat(d.entities())
                .containsEntry("column", "order_totl")
                .containsEntry("model", "stg_orders")
                .containsEntry("dbt_summary", "PASS=2 WARN=0 ERROR=1 SKIP=0 TOTAL=3");
    }

    @Test
    void theDatabasesHintReachesTheSummary() {
        Diagnosis d = diagnose("""
                psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
                LINE 1: SELECT customer_idd FROM staging.orders
                               ^
                HINT:  Perhaps you meant to reference the column "orders.customer_id".
                """);
        assertThat(d.summary()).contains("Perhaps you meant to reference the column \"orders.customer_id\".");
        assertThat(d.entities()).containsEntry("table", "staging.orders");
    }

    @Test
    void transienceSaysWhetherARetryMayPass() {
        assertThat(diagnose("botocore.exceptions.ClientError: An error occurred (ThrottlingException) when calling the"
                                + " PutRecords operation: Rate exceeded\n")
                        .transience())
                .isEqualTo("transient");
        assertThat(diagnose("psycopg2.errors.UndefinedColumn: column \"x\" does not exist\n")
                        .transience())
                .isEqualTo("permanent");
        assertThat(diagnose("").transience()).isEqualTo("unknown");
    }

    @Test
    void measured_skew_names_the_cause_that_the_log_only_shows_as_lost_executors() {
        String log = """
                26/11/20 03:58:02 ERROR YarnScheduler: Lost executor 2 on ip-10-0-3-9.ec2.internal: Executor heartbeat timed out after 160012 ms
                26/11/20 03:58:02 WARN TaskSetManager: Lost task 57.0 in stage 7.0 (TID 1257) (ip-10-0-3-9 executor 2): ExecutorLostFailure (executor 2 exited caused by one of the running tasks) Reason: Executor heartbeat timed out after 160012 ms
                """;
        var doc = new io.deagent.core.log.LogReader().read(log);
        Classifier classifier = new Classifier(RuleCatalog.builtIn());
        List<Fact> skew = List.of(
                new Fact("spark_history", "spark.stage.taskDuration.maxOverMedian", "1412.5"),
                new Fact("spark_history", "spark.stage.taskDuration.maxMs", "2542500"),
                new Fact("spark_history", "spark.stage.spill.diskBytes", "3328599654"));
        List<Fact> shortStage = List.of(
                new Fact("spark_history", "spark.stage.taskDuration.maxOverMedian", "7.6"),
                new Fact("spark_history", "spark.stage.taskDuration.maxMs", "1300"));
        List<Fact> even = List.of(new Fact("spark_history", "spark.stage.taskDuration.maxOverMedian", "1.3"));

        Classification withSkew = classifier.classify(doc, skew);
        Classification without = classifier.classify(doc, even);

        assertThat(withSkew.category()).isEqualTo("data_skew");
        assertThat(withSkew.facts())
                .extracting(Fact::key)
                .contains("spark.stage.taskDuration.maxOverMedian", "spark.stage.spill.diskBytes");
        assertThat(without.category()).isNotEqualTo("data_skew");
        assertThat(classifier.classify(doc, shortStage).category())
                .as("a 1.3 s stage's ratio is warm-up, not skew")
                .isNotEqualTo("data_skew");
    }

    @Test
    void measurements_that_agree_raise_the_confidence_of_a_log_diagnosis_and_are_shown() {
        String log = """
                ERROR Executor: Exception in task 117.0 in stage 12.0 (TID 4511)
                java.lang.OutOfMemoryError: Java heap space
                \tat java.util.Arrays.copyOf(Arrays.java:3236)
                """;
        var doc = new io.deagent.core.log.LogReader().read(log);
        Classifier classifier = new Classifier(RuleCatalog.builtIn());
        Classification plain = classifier.classify(doc);
        Classification confirmed =
                classifier.classify(doc, List.of(new Fact("spark_history", "spark.stage.gcRatio", "0.41")));

        assertThat(confirmed.category()).isEqualTo("out_of_memory_executor").isEqualTo(plain.category());
        assertThat(confirmed.confidence()).isGreaterThan(plain.confidence());
        assertThat(confirmed.facts()).extracting(Fact::text).containsExactly("spark.stage.gcRatio = 0.41");
        assertThat(plain.facts()).isEmpty();
    }

    @Test
    void lost_executors_the_history_server_counted_confirm_a_shuffle_fetch_failure() {
        String log = """
                ERROR TaskSetManager: Task 3 in stage 5.0 failed 4 times; aborting job
                org.apache.spark.shuffle.FetchFailedException: Failed to connect to ip-10-0-3-9.ec2.internal/10.0.3.9:7337
                """;
        var doc = new io.deagent.core.log.LogReader().read(log);
        Classifier classifier = new Classifier(RuleCatalog.builtIn());
        Classification c = classifier.classify(doc, List.of(new Fact("spark_history", "spark.executors.failed", "3")));
        assertThat(c.category()).isEqualTo("shuffle_fetch_failure");
        assertThat(c.confidence()).isGreaterThan(classifier.classify(doc).confidence());
        assertThat(c.facts()).extracting(Fact::key).containsExactly("spark.executors.failed");
    }
}
