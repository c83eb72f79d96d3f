package io.deagent.publish;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.util.List;
import java.util.Optional;

/** Real diagnoses of real-looking failures, made by the rule catalog, for publishing tests. */
public final class Incidents {

    public static final String OOM_LOG = """
            [2026-11-20, 03:05:40 UTC] {spark_submit.py:644} INFO - 26/11/20 03:05:40 INFO DAGScheduler: Submitting 400 missing tasks from ShuffleMapStage 12 (MapPartitionsRDD[58] at groupBy at /opt/airflow/jobs/transform_orders.py:57)
            [2026-11-20, 03:11:44 UTC] {spark_submit.py:644} INFO - 26/11/20 03:11:44 ERROR Executor: Exception in task 17.0 in stage 12.0 (TID 4417)
            [2026-11-20, 03:11:44 UTC] {spark_submit.py:644} INFO - java.lang.OutOfMemoryError: Java heap space
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO - Traceback (most recent call last):
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO -   File "/opt/airflow/jobs/transform_orders.py", line 61, in <module>
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO - py4j.protocol.Py4JJavaError: An error occurred while calling o112.parquet.
            [2026-11-20, 03:11:45 UTC] {spark_submit.py:644} INFO - : org.apache.spark.SparkException: Job aborted due to stage failure: Task 17 in stage 12.0 failed 4 times, most recent failure: Lost task 17.3 in stage 12.0 (TID 4420) (10.0.3.17 executor 7): java.lang.OutOfMemoryError: Java heap space
            """;

    private Incidents() {}

    public static FailureEvent event() {
        return FailureEvents.parse("""
                {"dag_id":"daily_orders","task_id":"transform_orders","run_id":"scheduled__2026-11-20T03:00:00+00:00",
                 "try_number":2,"owner":"data-platform","tags":["autofix","spark"],
                 "log_url":"http://airflow.example/log?dag_id=daily_orders&task_id=transform_orders"}
                """, FailureEvent.Origin.AIRFLOW_WEBHOOK);
    }

    public static Diagnosis oom() {
        return LogDiagnoser.builtIn().diagnose(new LogReader().read(OOM_LOG), Optional.of(event()), List.of());
    }
}
