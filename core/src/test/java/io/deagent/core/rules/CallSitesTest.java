package io.deagent.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallSitesTest {

    private static Diagnosis diagnose(String log) {
        return LogDiagnoser.builtIn().diagnose(new LogReader().read(log), Optional.empty(), List.of());
    }

    @Test
    void theDeepestFrameOfTheJobsOwnCodeIsTheCallSiteNotALibraryFrame() {
        Diagnosis d = diagnose("""
                Traceback (most recent call last):
                  File "/opt/jobs/upsert_customers.py", line 66, in <module>
                    main()
                  File "/opt/jobs/upsert_customers.py", line 58, in main
                    target.alias("t").merge(src, cond).execute()
                  File "/usr/local/lib/python3.10/site-packages/delta/tables.py", line 974, in execute
                  File "/opt/spark/python/lib/py4j-0.10.9.5-src.zip/py4j/java_gateway.py", line 1321, in __call__
                pyspark.sql.utils.AnalysisException: cannot resolve 'customer_idd' given input columns: [id, name]
                """);
        assertThat(d.entities()).containsEntry("call_site", "/opt/jobs/upsert_customers.py:58");
    }

    @Test
    void sparksCallSiteInTheProofLineWinsOverTracebacks() {
        Diagnosis d = diagnose("""
                  File "/opt/spark/jobs/etl.py", line 12, in <module>
                py4j.protocol.Py4JJavaError: An error occurred while calling o81.collectToPython.
                org.apache.spark.SparkException: Job aborted due to stage failure: Total size of serialized results of 412 tasks (1025.3 MiB) is bigger than spark.driver.maxResultSize (1024.0 MiB) (collect at /opt/spark/jobs/etl.py:42)
                """);
        assertThat(d.category()).isEqualTo("driver_result_size");
        assertThat(d.entities()).containsEntry("call_site", "/opt/spark/jobs/etl.py:42");
    }

    @Test
    void theExampleExecutorOomPointsAtItsJobFile() throws IOException {
        Path example = Path.of("..", "examples", "logs", "spark-executor-oom.log");
        Diagnosis d = diagnose(Files.readString(example));
        assertThat(d.entities().get("call_site")).startsWith("/opt/airflow/jobs/transform_orders.py:");
    }

    @Test
    void theDagFileAirflowReportsBecomesAnEntity() {
        Diagnosis d = LogDiagnoser.builtIn()
                .diagnose(
                        new LogReader().read("psycopg2.errors.UndefinedColumn: column \"x\" does not exist\n"),
                        Optional.empty(),
                        List.of(),
                        List.of(new Fact("airflow", "airflow.dag.fileloc", "/opt/airflow/dags/daily_orders.py")));
        assertThat(d.entities()).containsEntry("dag_file", "/opt/airflow/dags/daily_orders.py");
    }

    @Test
    void aLogWithoutUserCodeHasNoCallSite() {
        Diagnosis d = diagnose("""
                  File "/usr/lib/python3.11/site-packages/airflow/models/taskinstance.py", line 465, in _execute_task
                psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
                """);
        assertThat(d.entities()).doesNotContainKey("call_site");
        assertThat(CallSites.isLibrary("C:\\Python311\\Lib\\site-packages\\x.py"))
                .isTrue();
        assertThat(CallSites.spark("save at NativeMethodAccessorImpl.java:0")).isEmpty();
    }
}
