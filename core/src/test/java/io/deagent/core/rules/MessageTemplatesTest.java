package io.deagent.core.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.Diagnosis;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One real error message per line, from engines and services the corpus covers less (SQL Server, Oracle,
 * MySQL, BigQuery, Databricks, Snowflake, pandas/pyarrow, Kubernetes, Hadoop): the rules must match the
 * message template, not a particular log.
 */
class MessageTemplatesTest {

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            missing_column                 | pyodbc.ProgrammingError: ('42S22', "[42S22] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Invalid column name 'custmer_id'. (207)")
            missing_column                 | cx_Oracle.DatabaseError: ORA-00904: "CUSTOMER_IDD": invalid identifier
            missing_column                 | google.api_core.exceptions.BadRequest: 400 Unrecognized name: order_ts at [4:12]
            missing_table_or_path          | pyodbc.ProgrammingError: ('42S02', "[42S02] [Microsoft][ODBC Driver 18 for SQL Server][SQL Server]Invalid object name 'dbo.orders_stage'. (208)")
            missing_table_or_path          | cx_Oracle.DatabaseError: ORA-00942: table or view does not exist
            missing_table_or_path          | google.api_core.exceptions.NotFound: 404 Not found: Table acme-prod:analytics.orders_v2 was not found in location US
            missing_table_or_path          | org.apache.hadoop.mapreduce.lib.input.InvalidInputException: Input path does not exist: hdfs://nameservice1/data/events/dt=2024-11-19
            permission_denied              | google.api_core.exceptions.Forbidden: 403 Access Denied: Table acme-prod:finance.ledger: User does not have permission to query table acme-prod:finance.ledger.
            permission_denied              | org.apache.hadoop.security.AccessControlException: Permission denied: user=etl, access=WRITE, inode="/warehouse/sales":hive:hive:drwxr-xr-x
            permission_denied              | kubernetes.client.exceptions.ApiException: (403) Reason: Forbidden
            credentials_invalid_or_expired | snowflake.connector.errors.ProgrammingError: 390114 (08001): Authentication token has expired.  The user must authenticate again.
            credentials_invalid_or_expired | cx_Oracle.DatabaseError: ORA-01017: invalid username/password; logon denied
            type_cast_error                | pyarrow.lib.ArrowInvalid: Could not convert 'N/A' with type str: tried to convert to int64
            type_cast_error                | cx_Oracle.DatabaseError: ORA-01722: invalid number
            type_cast_error                | google.api_core.exceptions.BadRequest: 400 Bad int64 value: 12.5
            value_out_of_range             | cx_Oracle.DatabaseError: ORA-12899: value too large for column "SALES"."ORDERS"."STATUS" (actual: 14, maximum: 10)
            value_out_of_range             | pymysql.err.DataError: (1406, "Data too long for column 'city' at row 1")
            duplicate_key                  | cx_Oracle.IntegrityError: ORA-00001: unique constraint (SALES.ORDERS_PK) violated
            duplicate_key                  | pymysql.err.IntegrityError: (1062, "Duplicate entry '42' for key 'orders.PRIMARY'")
            concurrency_conflict           | pymysql.err.OperationalError: (1205, 'Lock wait timeout exceeded; try restarting transaction')
            concurrency_conflict           | io.delta.exceptions.ConcurrentDeleteReadException: This transaction attempted to read one or more files that were deleted by a concurrent update.
            resource_quota                 | google.api_core.exceptions.Forbidden: 403 Resources exceeded during query execution: Not enough resources for query planning
            throttling                     | google.api_core.exceptions.TooManyRequests: 429 Exceeded rate limits: too many table update operations for this table
            schema_mismatch                | pyarrow.lib.ArrowInvalid: Unable to merge: Field amount has incompatible types: double vs string
            dependency_import_error        | java.lang.ClassNotFoundException: org.apache.spark.sql.delta.catalog.DeltaCatalog
            dependency_import_error        | ImportError: cannot import name 'PostgresOperator' from 'airflow.operators.postgres_operator' (unknown location)
            syntax_or_compilation_error    | google.api_core.exceptions.BadRequest: 400 Syntax error: Expected end of input but got keyword SELECT at [3:1]
            syntax_or_compilation_error    | snowflake.connector.errors.ProgrammingError: 001003 (42000): SQL compilation error:\\nsyntax error line 1 at position 29 unexpected 'FROM'.
            disk_full                      | OSError: [Errno 28] No space left on device: '/tmp/spark-3f1c/blockmgr-9a2e/0c/shuffle_3_12_0.data'
            network_connectivity           | psycopg2.OperationalError: could not translate host name "warehouse.internal" to address: Name or service not known
            network_connectivity           | java.sql.SQLException: [Amazon](500150) Error setting/closing connection: Connection timed out.
            timeout                        | snowflake.connector.errors.ProgrammingError: 000630 (57014): Statement reached its statement or warehouse timeout of 3,600 second(s) and was canceled.
            timeout                        | airflow.exceptions.AirflowTaskTimeout: Timeout, PID: 4312
            image_pull_or_pod_startup      | Warning  Failed     12s   kubelet  Failed to pull image "123456789012.dkr.ecr.us-east-1.amazonaws.com/etl:2024.11.3": rpc error: code = NotFound desc = manifest unknown
            container_killed_memory        | Last State: Terminated  Reason: OOMKilled  Exit Code: 137
            resource_quota                 | Error from server (Forbidden): pods "etl-7f9c" is forbidden: exceeded quota: compute-resources, requested: limits.memory=8Gi, used: limits.memory=60Gi, limited: limits.memory=64Gi
            resource_quota                 | java.lang.OutOfMemoryError: unable to create native thread: possibly out of memory or process/resource limits reached
            image_pull_or_pod_startup      | Normal   BackOff    2m (x41 over 12m)  kubelet  Back-off pulling image "ghcr.io/acme/etl:2024.11.3"
            credentials_invalid_or_expired | error: You must be logged in to the server (Unauthorized)
            credentials_invalid_or_expired | azure.core.exceptions.ClientAuthenticationError: Server failed to authenticate the request. ErrorCode:AuthenticationFailed
            permission_denied              | pyspark.errors.exceptions.connect.SparkConnectGrpcException: (org.apache.spark.SparkSecurityException) PERMISSION_DENIED: User does not have SELECT on Table 'main.finance.ledger'.
            dependency_import_error        | ERROR: Could not find a version that satisfies the requirement apache-airflow-providers-snowflake==9.9.9 (from versions: 5.0.0, 5.1.0)
            task_killed_or_zombie          | [2024-11-20, 03:14:07 UTC] {local_task_job_runner.py:234} INFO - Task exited with return code Negsignal.SIGTERM
            schema_mismatch                | google.api_core.exceptions.BadRequest: 400 Provided Schema does not match Table acme-prod:analytics.events. Field event_ts has changed type from TIMESTAMP to STRING
            concurrency_conflict           | org.apache.iceberg.exceptions.CommitFailedException: Cannot commit glue.analytics.events because base metadata location 's3://lake/events/metadata/00041.json' is not same as the current Glue location 's3://lake/events/metadata/00042.json'
            task_killed_or_zombie          | [2024-11-20, 03:14:07 UTC] {scheduler_job_runner.py:1754} ERROR - Detected zombie job: {'full_filepath': '/opt/airflow/dags/orders.py', 'msg': 'Detected <TaskInstance: orders.load scheduled__2024-11-20T02:00:00+00:00 [running]> as zombie'}
            """)
    void messageTemplateGivesItsCategory(String category, String log) {
        Diagnosis d = LogDiagnoser.builtIn()
                .diagnose(new LogReader().read(log.replace("\\n", "\n") + "\n"), Optional.empty(), List.of());
        assertThat(d.category()).as(d.ruleId().orElse("no rule")).isEqualTo(category);
    }
}
