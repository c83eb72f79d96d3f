package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.TestEvents.budget;
import static io.deagent.sources.warehouse.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbtArtifactsSourceTest {

    private static final Path TEST_FAILURE = WarehouseDatabase.resourceDir("target-test-failure");
    private static final Path MODEL_ERROR = WarehouseDatabase.resourceDir("target-model-error");

    private static FailureEvent exampleLogEvent() throws IOException {
        Path log = Path.of(System.getProperty("deagent.root", ".."), "examples", "logs", "dbt-test-failure.log");
        return event("analytics_dbt", "dbt_build_orders", "BashOperator", null, Files.readString(log));
    }

    @Test
    void failedTestFromTheExampleLogComesWithItsNodeFromTheManifest() throws IOException {
        Evidence e = new DbtArtifactsSource(TEST_FAILURE).collect(exampleLogEvent(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow())
                .isEqualTo("run_results: test.analytics.unique_fct_orders_order_id.1c7e55d0a2 fail failures=37"
                        + " \"Got 37 results, configured to fail if != 0\" path=models/marts/fct_orders.yml"
                        + " materialized=test at 2026-11-20T04:00:39.531000Z\n");
        assertThat(e.facts())
                .containsEntry("dbt.test", "unique_fct_orders_order_id")
                .containsEntry("dbt.test.status", "fail")
                .containsEntry("dbt.test.failures", "37")
                .containsEntry("dbt.test.message", "Got 37 results, configured to fail if != 0")
                .containsEntry("dbt.test.kind", "unique")
                .containsEntry("dbt.test.column", "order_id")
                .containsEntry("dbt.test.model_unique_id", "model.analytics.fct_orders")
                .containsEntry("dbt.test.path", "models/marts/fct_orders.yml")
                .containsEntry("dbt.results.total", "4")
                .containsEntry("dbt.results.failed", "1")
                .containsEntry("dbt.results.status.pass", "1")
                .containsEntry("dbt.results.status.skipped", "1")
                .containsEntry("dbt.artifacts.invocation_id", "0e7c6a0b-51d4-4c1e-9f43-8a2e0f6d3b19")
                .containsEntry("dbt.artifacts.generated_at", "2026-11-20T04:00:42.512378Z")
                .containsEntry("dbt.project", "analytics")
                .containsEntry("dbt.adapter", "redshift")
                .containsEntry("dbt_artifacts.manifest", "read 1 of 1 nodes");
        assertThat(e.query().orElseThrow()).contains("run_results.json").contains("manifest.json");
    }

    @Test
    void erroredModelComesWithPathMaterializationColumnsAndDownstream() {
        FailureEvent event = event(
                "daily_orders",
                "dbt_run_staging",
                "DbtRunOperator",
                "Database Error in model stg_orders (models/staging/stg_orders.sql)",
                null);

        Evidence e = new DbtArtifactsSource(MODEL_ERROR).collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow())
                .startsWith("run_results: model.shop.stg_orders error \"Database Error in model stg_orders"
                        + " (models/staging/stg_orders.sql)\\n  column \\\"customer_idd\\\" does not exist")
                .contains("path=models/staging/stg_orders.sql materialized=incremental at 2026-11-20T03:01:00.000000Z")
                .doesNotContain("model.shop.orders ") // skipped, not failed
                .doesNotContain("stg_customers");
        assertThat(e.facts())
                .containsEntry("dbt.model", "stg_orders")
                .containsEntry("dbt.run.status", "error")
                .containsEntry("dbt.model.materialization", "incremental")
                .containsEntry("dbt.model.path", "models/staging/stg_orders.sql")
                .containsEntry("dbt.model.columns", "order_id,customer_id,ordered_at")
                .containsEntry("dbt.model.depends_on", "source.shop.raw.orders")
                .containsEntry("dbt.model.downstream", "model.shop.orders")
                .containsEntry("dbt.run.relation", "\"analytics\".\"staging\".\"stg_orders\"");
        assertThat(e.facts().get("dbt.run.message")).contains("column \"customer_idd\" does not exist");
        assertThat(e.facts().get("dbt.run.compiled_code")).contains("customer_idd as customer_id");
        assertThat(e.facts()).doesNotContainKey("dbt.test.failures"); // an error has no failing rows
    }

    @Test
    void resultsTheEventNamesComeFirst(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("run_results.json"), """
                {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
                  "dbt_version": "1.8.7", "generated_at": "2026-11-20T03:10:00Z", "invocation_id": "i-1", "env": {}},
                 "results": [
                  {"status": "error", "timing": [], "thread_id": "Thread-1", "execution_time": 0.1, "adapter_response": {},
                   "message": "Database Error in model a_first (models/a_first.sql)", "failures": null,
                   "unique_id": "model.shop.a_first", "compiled": true, "compiled_code": "select 1", "relation_name": null},
                  {"status": "fail", "timing": [], "thread_id": "Thread-2", "execution_time": 0.2, "adapter_response": {},
                   "message": "Got 3 results, configured to fail if != 0", "failures": 3,
                   "unique_id": "test.shop.not_null_orders_customer_id.5a1c2b3d4e", "compiled": true,
                   "compiled_code": "select 1", "relation_name": null}],
                 "elapsed_time": 1.0}""");
        FailureEvent event = event(
                "d",
                "dbt_test",
                "DbtTestOperator",
                "Failure in test not_null_orders_customer_id" + " (models/marts/_marts.yml)",
                null);

        Evidence e = new DbtArtifactsSource(dir).collect(event, budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.logText().orElseThrow())
                .startsWith("run_results: test.shop.not_null_orders_customer_id.5a1c2b3d4e fail failures=3");
        assertThat(e.facts())
                .containsEntry("dbt.test", "not_null_orders_customer_id")
                .containsEntry("dbt.model", "a_first") // still reported, after the named one
                .containsEntry("dbt.results.failed", "2")
                .containsKey("dbt_artifacts.manifest");
        assertThat(e.facts().get("dbt_artifacts.manifest")).startsWith("no manifest.json in ");
    }

    @Test
    void missingRunResultsIsNoDataNamingThePath(@TempDir Path dir) {
        Evidence e = new DbtArtifactsSource(dir).collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(e.error().orElseThrow())
                .contains("no run_results.json in " + dir)
                .contains("DBT_TARGET_PATH");
    }

    @Test
    void runWithNothingFailedIsNoData(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("run_results.json"), """
                {"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json",
                  "dbt_version": "1.8.7", "generated_at": "2026-11-20T03:10:00Z", "invocation_id": "i-2", "env": {}},
                 "results": [{"status": "success", "timing": [], "thread_id": "Thread-1", "execution_time": 0.1,
                   "adapter_response": {}, "message": "SELECT", "failures": null, "unique_id": "model.shop.a",
                   "compiled": true, "compiled_code": "select 1", "relation_name": null}],
                 "elapsed_time": 1.0}""");

        Evidence e = new DbtArtifactsSource(dir).collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(e.error().orElseThrow()).contains("generated 2026-11-20T03:10:00Z, 1 results): none failed");
        assertThat(e.facts()).containsEntry("dbt.results.status.success", "1");
    }

    @Test
    void truncatedRunResultsIsAnErrorWithLineAndColumn() {
        Path dir = WarehouseDatabase.resourceDir("target-malformed");

        Evidence e = new DbtArtifactsSource(dir).collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .contains(dir.resolve("run_results.json").toString())
                .contains("malformed JSON at line 40, column 21")
                .contains("end-of-input");
    }

    @Test
    void syntaxErrorIsReportedWhereItIs(@TempDir Path dir) throws IOException {
        Files.writeString(
                dir.resolve("run_results.json"),
                "{\n  \"metadata\": {},\n  \"results\": [ {\"status\": 'fail'} ]\n}\n");

        Evidence e = new DbtArtifactsSource(dir).collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow())
                .contains("malformed JSON at line 3, column 27")
                .contains("''' (code 39)");
    }

    @Test
    void notAnObjectIsAnError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("run_results.json"), "[]");

        Evidence e = new DbtArtifactsSource(dir).collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.ERROR);
        assertThat(e.error().orElseThrow()).contains("expected a JSON object at line 1, got [");
    }

    @Test
    void malformedManifestKeepsTheResultsAndSaysWhy(@TempDir Path dir) throws IOException {
        Files.copy(MODEL_ERROR.resolve("run_results.json"), dir.resolve("run_results.json"));
        String manifest = Files.readString(MODEL_ERROR.resolve("manifest.json"));
        Files.writeString(
                dir.resolve("manifest.json"), manifest.substring(0, manifest.indexOf("\"model.shop.orders\"")));

        Evidence e = new DbtArtifactsSource(dir).collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.OK);
        assertThat(e.facts()).containsEntry("dbt.run.status", "error").doesNotContainKey("dbt.model.path");
        assertThat(e.facts().get("dbt_artifacts.manifest"))
                .contains("manifest.json: malformed JSON at line")
                .contains("end-of-input");
    }

    @Test
    void filesOverTheByteCapAreNotRead(@TempDir Path dir) throws IOException {
        Files.copy(MODEL_ERROR.resolve("run_results.json"), dir.resolve("run_results.json"));

        Evidence e = new DbtArtifactsSource(dir, 1024, Clock.systemUTC())
                .collect(exampleLogEventUnchecked(), budget(Duration.ofSeconds(10)));

        assertThat(e.status()).isEqualTo(Status.NO_DATA);
        assertThat(e.error().orElseThrow()).contains("bytes, over the cap of 1024 bytes");
    }

    @Test
    void manifestReaderKeepsOnlyTheWantedNodes() throws IOException {
        Manifest m = Manifest.read(
                MODEL_ERROR.resolve("manifest.json"),
                Set.of("model.shop.stg_orders", "model.shop.not_there"),
                budget(Duration.ofSeconds(10)));

        assertThat(m.nodes()).containsOnlyKeys("model.shop.stg_orders");
        assertThat(m.children()).containsOnlyKeys("model.shop.stg_orders");
        assertThat(m.projectName()).contains("shop");
        Manifest.Node node = m.nodes().get("model.shop.stg_orders");
        assertThat(node.materialized()).contains("incremental");
        assertThat(node.originalFilePath()).contains("models/staging/stg_orders.sql");
    }

    @Test
    void appliesToDbtEventsOnly() {
        DbtArtifactsSource source = new DbtArtifactsSource(MODEL_ERROR);
        assertThat(source.appliesTo(exampleLogEventUnchecked())).isTrue();
        assertThat(source.appliesTo(event("d", "load", "PythonOperator", "KeyError: 'x'", null)))
                .isFalse();
    }

    @Test
    void probeReportsTheFiles(@TempDir Path empty) {
        Probe.Result ok = new DbtArtifactsSource(MODEL_ERROR).probe(Duration.ofSeconds(1));
        assertThat(ok.ok()).isTrue();
        assertThat(ok.detail()).contains("run_results.json").contains("manifest.json");

        Probe.Result missing = new DbtArtifactsSource(empty).probe(Duration.ofSeconds(1));
        assertThat(missing.ok()).isFalse();
        assertThat(missing.detail()).contains("no run_results.json");
    }

    private static FailureEvent exampleLogEventUnchecked() {
        try {
            return exampleLogEvent();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
