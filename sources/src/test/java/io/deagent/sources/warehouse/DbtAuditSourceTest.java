package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.TestEvents.budget;
import static io.deagent.sources.warehouse.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Against a real PostgreSQL holding Elementary tables, a team audit table and Redshift look-alike views. */
class DbtAuditSourceTest {

    private static final String TEAM_QUERY = """
            select model, status, rows_loaded, error
            from audit.pipeline_runs
            where dag_id = :dag_id and task_id = :task_id
              and (:run_id is null or run_id = :run_id)
              and model = :model  -- :model in a comment is not a parameter
            order by checked_at desc
            limit 5""";

    @BeforeAll
    static void start() {
        WarehouseDatabase.postgres();
    }

    private static DbtAuditSource source(WarehouseSettings.Jdbc jdbc, String schema, Optional<String> audit) {
        return new DbtAuditSource(new JdbcSqlRunner(jdbc), schema, audit.map(AuditQuery::parse), Clock.systemUTC());
    }

    private static DbtAuditSource auditorSource() {
        return source(WarehouseDatabase.auditor(WarehouseDatabase.url()), "elementary", Optional.empty());
    }

    @Test
    void modelErrorBringsItsRunResultsAndModelNewestFirst() {
        Evidence e = auditorSource().collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.OK);
        String text = e.logText().orElseThrow();
        assertThat(text)
                .contains("dbt_run_results: model.shop.stg_orders error \"Database Error in model stg_orders"
                        + " (models/staging/stg_orders.sql)\\n  column \\\"customer_idd\\\" does not exist")
                .contains("at 2026-11-20T03:01:00Z")
                .contains("dbt_models: model.shop.stg_orders materialized=incremental schema=staging"
                        + " path=models/staging/stg_orders.sql");
        // newest first: today's error before yesterday's success
        assertThat(text.indexOf(" error ")).isLessThan(text.indexOf(" success "));
        assertThat(e.facts())
                .containsEntry("dbt.model", "stg_orders")
                .containsEntry("dbt.run.status", "error")
                .containsEntry("dbt.run.unique_id", "model.shop.stg_orders")
                .containsEntry("dbt.model.materialization", "incremental")
                .containsEntry("dbt.model.path", "models/staging/stg_orders.sql")
                .containsEntry("dbt.model.depends_on", "source.shop.raw.orders")
                .containsEntry("dbt_audit.redshift", "false");
        assertThat(e.facts().get("dbt.run.message")).contains("column \"customer_idd\" does not exist");
        assertThat(e.facts().get("dbt.run.compiled_code")).contains("customer_idd");
        assertThat(e.facts()).containsKey("dbt_audit.skipped.redshift");
        assertThat(e.query().orElseThrow())
                .contains("from elementary.dbt_run_results")
                .contains("where name in (?)")
                .contains("-- params: [stg_orders]")
                .doesNotContain("stl_load_errors"); // not Redshift: its views are not asked
        assertThat(e.error()).isEmpty();
    }

    @Test
    void failingNotNullTestBringsTheTestResultAndItsModel() {
        FailureEvent event = event(
                "daily_orders",
                "dbt_test_marts",
                "BashOperator",
                "airflow.exceptions.AirflowException: Bash command failed. The command returned a non-zero exit code 1.",
                "04:05:02  Failure in test not_null_orders_customer_id (models/marts/_marts.yml)\n"
                        + "04:05:02    Got 12 results, configured to fail if != 0\n");

        Evidence e = auditorSource().collect(event, budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow())
                .contains(
                        "elementary_test_results: test.shop.not_null_orders_customer_id.5a1c2b3d4e fail failures=12"
                                + " on orders.customer_id \"Got 12 results, configured to fail if != 0\" at 2026-11-20T03:05:01")
                .doesNotContain(" pass ") // yesterday's passing result is not a failure
                .contains("dbt_models: model.shop.orders materialized=table");
        assertThat(e.facts())
                .containsEntry("dbt.test", "not_null_orders_customer_id")
                .containsEntry("dbt.test.failures", "12")
                .containsEntry("dbt.test.status", "fail")
                .containsEntry("dbt.test.column", "customer_id")
                .containsEntry("dbt.test.table", "orders")
                .containsEntry("dbt.model", "orders") // from the test's model_unique_id, looked up in dbt_models
                .containsEntry("dbt.model.materialization", "table");
    }

    @Test
    void teamAuditQueryGetsTheEventValuesAsParameters() {
        DbtAuditSource source =
                source(WarehouseDatabase.auditor(WarehouseDatabase.url()), "elementary", Optional.of(TEAM_QUERY));

        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow())
                .contains("audit_query: model=\"stg_orders\", status=\"failed\", rows_loaded=0,"
                        + " error=\"column \\\"customer_idd\\\" does not exist\"");
        assertThat(e.facts())
                .containsEntry("dbt_audit.audit_query.rows", "1") // only this run's row, not yesterday's
                .containsEntry("audit.status", "failed")
                .containsEntry("audit.error", "column \"customer_idd\" does not exist");
        assertThat(e.query().orElseThrow())
                .contains("where dag_id = ? and task_id = ?")
                .contains("-- params: [daily_orders, dbt_run_staging, scheduled__2026-11-20T03:00:00+00:00,"
                        + " scheduled__2026-11-20T03:00:00+00:00, stg_orders]");
    }

    @Test
    void sqlInjectionThroughTheModelNameFindsNothingAndChangesNothing() throws Exception {
        // as the superuser, so that only binding and the read-only transaction stand between the text and the data
        DbtAuditSource source = source(WarehouseDatabase.superuser(), "elementary", Optional.of(TEAM_QUERY));
        for (String model : new String[] {
            "stg_orders' or '1'='1", "x'; drop table audit.pipeline_runs; drop table elementary.dbt_run_results; --"
        }) {
            FailureEvent event =
                    event("daily_orders", "dbt_run_staging", "DbtRunOperator", null, null, Map.of("model", model));

            Evidence e = source.collect(event, budget(Duration.ofSeconds(20)));

            assertThat(e.status()).as(model).isEqualTo(Status.NO_DATA);
            assertThat(e.facts()).as(model).containsEntry("dbt_audit.audit_query.rows", "0");
            assertThat(e.query().orElseThrow()).as(model).contains("-- params: [" + model + "]");
        }
        assertThat(WarehouseDatabase.tableExists("audit.pipeline_runs")).isTrue();
        assertThat(WarehouseDatabase.tableExists("elementary.dbt_run_results")).isTrue();
    }

    @Test
    void missingSchemaSkipsEachPartQuietlyAndIsNoData() {
        DbtAuditSource source =
                source(WarehouseDatabase.auditor(WarehouseDatabase.url()), "shop_elementary", Optional.empty());

        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(e.facts())
                .containsEntry("dbt_audit.skipped.dbt_run_results", "shop_elementary.dbt_run_results does not exist")
                .containsEntry(
                        "dbt_audit.skipped.elementary_test_results",
                        "shop_elementary.elementary_test_results does not exist")
                .containsEntry("dbt_audit.skipped.dbt_models", "shop_elementary.dbt_models does not exist")
                .containsEntry("dbt_audit.searched", "stg_orders");
        assertThat(e.error().orElseThrow()).contains("no dbt audit rows for stg_orders in shop_elementary");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void slowQueryTimesOutWithinTheBudget() {
        DbtAuditSource source = source(
                WarehouseDatabase.auditor(WarehouseDatabase.url()),
                "no_elementary_here",
                Optional.of("select pg_sleep(30) as slept, :dag_id as dag_id"));

        long started = System.nanoTime();
        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(2)));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(e.status()).isEqualTo(Status.TIMED_OUT);
        assertThat(e.error().orElseThrow()).contains("pg_sleep").contains("SQLSTATE 57014");
        assertThat(took).isLessThan(Duration.ofSeconds(10)); // the deadline, not pg_sleep(30), ended it
    }

    @Test
    void wrongPasswordIsAnErrorNamingTheUrlWithoutThePassword() {
        String url = WarehouseDatabase.url();
        DbtAuditSource source = source(
                new WarehouseSettings.Jdbc(url, Optional.of(WarehouseDatabase.AUDITOR), Optional.of("Wrong-pw-91")),
                "elementary",
                Optional.empty());

        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .contains(url)
                .contains("SQLSTATE 28P01")
                .contains("password authentication failed")
                .doesNotContain("Wrong-pw-91");
        assertThat(e.query().orElseThrow()).doesNotContain("Wrong-pw-91");
        assertThat(e.facts().values()).noneMatch(v -> v.contains("Wrong-pw-91"));
        // authentication failed once: the remaining parts were not tried
        assertThat(e.query().orElseThrow()).doesNotContain("elementary_test_results");
    }

    @Test
    void passwordInTheUrlIsNotRepeated() {
        String url = WarehouseDatabase.url() + "?user=" + WarehouseDatabase.AUDITOR + "&password=Wrong-pw-92";
        DbtAuditSource source = source(
                new WarehouseSettings.Jdbc(url, Optional.empty(), Optional.empty()), "elementary", Optional.empty());

        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .contains(WarehouseDatabase.url() + "?user=" + WarehouseDatabase.AUDITOR + "&password=***")
                .doesNotContain("Wrong-pw-92");
    }

    @Test
    void onRedshiftTheLoadErrorsAndFailedQueriesOfTheModelTableComeToo() {
        DbtAuditSource source = source(
                WarehouseDatabase.auditor(WarehouseDatabase.redshiftUrl("redshift_fake")),
                "elementary",
                Optional.empty());

        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.OK);
        String text = e.logText().orElseThrow();
        assertThat(text)
                .contains("stl_load_errors: stg_orders s3://shop-landing/orders/2026-11-20/part-0003.csv.gz line 1822"
                        + " column customer_id err_code=1207 \"Invalid digit, Value 'N', Pos 0, Type: Integer\""
                        + " raw_field_value=\"N/A\" at 2026-11-20T02:58:13.520125")
                .contains("sys_query_history: query 884190 failed \"column \\\"customer_idd\\\" does not exist in"
                        + " stg_orders\" at 2026-11-20T03:01:00.312")
                .doesNotContain("customers") // another table's load error and failed COPY
                .doesNotContain("870050"); // yesterday's successful insert
        assertThat(e.facts())
                .containsEntry("dbt_audit.redshift", "true")
                .containsEntry("redshift.load_errors", "3") // one row per error, not per slice of stv_tbl_perm
                .containsEntry("redshift.load_error.colname", "customer_id")
                .containsEntry("redshift.load_error.err_reason", "Invalid digit, Value 'N', Pos 0, Type: Integer")
                .containsEntry("redshift.load_error.raw_field_value", "N/A")
                .containsEntry("redshift.failed_queries", "1")
                .containsEntry("redshift.failed_query.error", "column \"customer_idd\" does not exist in stg_orders");
        assertThat(e.query().orElseThrow()).contains("from stl_load_errors le").contains("from sys_query_history");
    }

    @Test
    void onAClusterWithoutSysViewsTheAbortedStlQueriesComeInstead() {
        DbtAuditSource source = source(
                WarehouseDatabase.auditor(WarehouseDatabase.redshiftUrl("redshift_stl")),
                "elementary",
                Optional.empty());

        Evidence e = source.collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow())
                .contains("stl_query: query 884190 aborted at 2026-11-20T03:01:00.312")
                .doesNotContain("query 870050");
        assertThat(e.facts())
                .containsEntry("dbt_audit.redshift", "true")
                .containsEntry("redshift.aborted_queries", "1")
                .containsEntry("dbt_audit.skipped.stl_load_errors", "stl_load_errors does not exist")
                .containsEntry("dbt_audit.skipped.sys_query_history", "sys_query_history does not exist");
    }

    @Test
    void dbtEventNamingNothingGetsTheLatestFailuresMarkedAsSuch() {
        FailureEvent event = event("analytics_dbt", "dbt_build", "BashOperator", "Bash command failed", null);

        Evidence e = auditorSource().collect(event, budget(Duration.ofSeconds(20)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts()).containsEntry("dbt_audit.match", "latest_failures");
        assertThat(e.logText().orElseThrow())
                .contains("model.shop.stg_orders error")
                .contains("test.shop.not_null_orders_customer_id.5a1c2b3d4e fail")
                .doesNotContain(" success ");
    }

    @Test
    void digestIsCappedAtTheBudgetsBytesKeepingTheNewestRows() {
        Evidence e = auditorSource().collect(TestEvents.stgOrdersError(), budget(Duration.ofSeconds(20), 300));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow().getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(300);
        assertThat(e.logText().orElseThrow()).startsWith("dbt_run_results: model.shop.stg_orders error");
        assertThat(e.facts()).containsEntry("dbt_audit.truncated", "true");
    }

    @Test
    void appliesOnlyToDbtLookingEvents() {
        DbtAuditSource source = auditorSource();
        assertThat(source.appliesTo(TestEvents.stgOrdersError())).isTrue();
        assertThat(source.appliesTo(
                        event("d", "load_orders", "PostgresOperator", "psycopg2.errors.UndefinedColumn", null)))
                .isFalse();
    }

    @Test
    void probeSaysWhetherTheElementaryTablesAreReadable() {
        Probe.Result ok = auditorSource().probe(Duration.ofSeconds(10));
        assertThat(ok.ok()).isTrue();
        assertThat(ok.detail()).contains("elementary.dbt_run_results is readable");

        Probe.Result missing = source(WarehouseDatabase.auditor(WarehouseDatabase.url()), "nope", Optional.empty())
                .probe(Duration.ofSeconds(10));
        assertThat(missing.ok()).isFalse();
        assertThat(missing.detail())
                .contains("nope.dbt_run_results does not exist")
                .contains("DE_AGENT_ELEMENTARY_SCHEMA");

        Probe.Result badPassword = source(
                        new WarehouseSettings.Jdbc(
                                WarehouseDatabase.url(),
                                Optional.of(WarehouseDatabase.AUDITOR),
                                Optional.of("Wrong-pw-93")),
                        "elementary",
                        Optional.empty())
                .probe(Duration.ofSeconds(10));
        assertThat(badPassword.ok()).isFalse();
        assertThat(badPassword.detail()).contains("28P01").doesNotContain("Wrong-pw-93");
    }
}
