package io.deagent.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The labels of a diagnosis, as {@code taxonomy.md} defines them: part of the public contract. A guard
 * test checks this class against the document.
 */
public final class Taxonomy {

    public static final String UNKNOWN = "unknown";
    public static final String GATHER_MORE_EVIDENCE = "gather_more_evidence";

    /** Category label to its meaning in plain words. */
    public static final Map<String, String> CATEGORIES = ordered(
            "out_of_memory_executor", "JVM heap exhausted inside a Spark task",
            "out_of_memory_driver", "driver or single-process heap exhausted",
            "container_killed_memory", "resource manager killed the container for its memory limit",
            "shuffle_fetch_failure", "shuffle blocks could not be fetched",
            "disk_full", "local or warehouse storage exhausted",
            "data_skew", "a few partitions far larger than the rest",
            "driver_result_size", "collected results exceed `spark.driver.maxResultSize`",
            "broadcast_timeout", "broadcast exchange did not finish in time",
            "serialization_error", "object cannot be serialized, or serializer buffer overflow",
            "missing_column", "referenced column or field does not exist",
            "missing_table_or_path", "referenced table, schema, path or input does not exist or is empty",
            "schema_mismatch", "writer and reader schemas or types disagree, or the target drifted",
            "type_cast_error", "a value cannot be parsed or cast",
            "value_out_of_range", "value fits the type but not its precision, scale or length",
            "arithmetic_error", "arithmetic failure on data",
            "malformed_input_data", "input bytes or structure cannot be parsed as configured",
            "data_quality_test_failure", "a data test ran and found violating rows",
            "duplicate_key", "unique or primary-key violation on write",
            "concurrency_conflict", "concurrent transactions or jobs conflict",
            "permission_denied", "authenticated but not authorised",
            "credentials_invalid_or_expired", "cannot authenticate",
            "throttling", "a service rate limit was hit",
            "network_connectivity", "cannot reach a host, or the connection dropped",
            "timeout", "a configured time limit expired",
            "resource_quota", "capacity limit other than memory or disk",
            "task_killed_or_zombie", "task killed or lost from outside, no memory evidence",
            "image_pull_or_pod_startup", "a container never started",
            "dependency_import_error", "missing or incompatible code dependency",
            "missing_connection_config", "a named connection or secret is not configured",
            "invalid_configuration", "configuration values are wrong, so generated work fails",
            "syntax_or_compilation_error", "SQL or Jinja does not parse or compile",
            "unknown", "not enough information for a diagnosis");

    /** Fix class label to the remedy in plain words. */
    public static final Map<String, String> FIX_CLASSES = ordered(
            "increase_executor_memory", "more executor heap, fewer cores per executor, MEMORY_AND_DISK persistence",
            "increase_driver_memory", "more driver heap (also local mode)",
            "increase_container_memory",
                    "raise the container limit: `spark.executor.memoryOverhead`, pod `resources.limits.memory`",
            "reduce_memory_footprint",
                    "chunk, filter early, smaller dtypes, move a single-process job to a distributed engine",
            "disable_broadcast_join", "`spark.sql.autoBroadcastJoinThreshold=-1`, or stop forcing a broadcast hint",
            "broadcast_small_side", "add a broadcast hint on the small side of a join",
            "raise_max_result_size", "raise `spark.driver.maxResultSize`, or stop collecting large results",
            "increase_kryo_buffer", "raise `spark.kryoserializer.buffer.max`",
            "make_class_serializable", "make captured objects serializable, or build them inside the task",
            "free_or_add_disk_space", "add or clean disk, move `spark.local.dir`, resize the warehouse",
            "handle_node_loss",
                    "avoid losing nodes that hold shuffle output (decommissioning, external shuffle service)",
            "repartition", "rebalance partitions (`repartition`, more shuffle partitions)",
            "enable_adaptive_skew_join",
                    "`spark.sql.adaptive.enabled` + `spark.sql.adaptive.skewJoin.enabled`, or salting",
            "fix_column_reference", "point the code at the column that exists upstream",
            "fix_path_or_table_reference", "correct the path, table, catalog or database, or create the object",
            "verify_upstream_output",
                    "the producer did not write what this step needs: check the upstream task, selection, schedule or date",
            "align_schema", "evolve or merge the schema, migrate, fix DDL, full refresh",
            "cast_or_clean_types", "explicit cast, nullable types, NULLIF, widen the type",
            "fix_source_data", "the upstream data is wrong and must be fixed at its source",
            "fix_load_format_options", "correct delimiter, encoding, compression or reader/COPY options",
            "fix_sql_or_code_logic", "change query or transform logic (guard divisors, de-duplicate, fix arguments)",
            "grant_permission", "grant privileges or IAM/bucket policy to the identity actually used",
            "fix_credentials_config", "credentials configured under the wrong keys or provider",
            "refresh_credentials", "rotate or renew credentials, add auto-refresh, longer token TTL",
            "define_connection", "create the missing Airflow connection or secret",
            "fix_connection_config", "correct host, port or endpoint settings",
            "fix_tool_configuration", "correct the dbt profile, project or YAML config",
            "retry_with_backoff", "transient or rate-limited: retries with backoff, lower concurrency",
            "enable_tcp_keepalives", "idle connections dropped by NAT or firewall: keepalives, reconnect before use",
            "reduce_connection_usage", "pool connections, lower parallelism, raise the connection limit",
            "increase_timeout", "raise the specific timeout, or make the work fit inside it",
            "serialize_concurrent_writers", "lock, retry the transaction, or separate schemas per run",
            "add_missing_dependency", "install the missing package, jar or dbt package",
            "align_dependency_versions", "pin or upgrade to compatible versions, shade conflicts, update moved imports",
            "investigate_worker_or_pod_eviction", "inspect worker or pod status and events, then retry",
            "fix_image_reference", "correct image name, tag or registry access",
            "gather_more_evidence", "nothing above is supported yet: name what to fetch next");

    /** Entity keys that must be used for these things (more keys are allowed). */
    public static final List<String> ENTITY_KEYS = List.of(
            "dag_id",
            "task_id",
            "run_id",
            "try_number",
            "application_id",
            "stage",
            "executor",
            "column",
            "table",
            "schema",
            "path",
            "model",
            "test",
            "config",
            "conn_id",
            "host",
            "port",
            "error_code",
            "sqlstate",
            "exception",
            "module",
            "package",
            "class",
            "query_id",
            "pod",
            "image",
            "bucket",
            "service");

    /** Extra entity keys we use beyond the taxonomy's list. */
    private static final Set<String> EXTRA_KEYS = Set.of(
            "limit",
            "value",
            "type",
            "operation",
            "database",
            "constraint",
            "signal",
            "exit_code",
            "node",
            "container",
            "namespace",
            "file",
            "function",
            "region",
            "reason",
            "warehouse",
            "role",
            "user",
            "source",
            "dbt_summary",
            "job_name");

    private Taxonomy() {}

    public static boolean isCategory(String label) {
        return label != null && CATEGORIES.containsKey(label);
    }

    public static boolean isFixClass(String label) {
        return label != null && FIX_CLASSES.containsKey(label);
    }

    public static boolean isEntityKey(String key) {
        return ENTITY_KEYS.contains(key) || EXTRA_KEYS.contains(key);
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(m);
    }
}
