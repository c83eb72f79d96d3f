package io.deagent.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.deagent.testkit.FakeAirflowApi;
import io.deagent.testkit.FakeSparkHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The incidents page in a real browser: headless Chromium (Debian's {@code chromium}) driven over the
 * DevTools protocol, against a real {@code serve} whose incidents came in as signed webhooks carrying real
 * logs from {@code examples/} and {@code corpus/}, over two weeks, some answered in Slack threads and judged
 * with reactions. Skipped when {@code /usr/bin/chromium} is not installed. Screenshots go to
 * {@code app/target/}.
 */
class IncidentsPageBrowserTest {

    static final Instant END = Instant.parse("2026-11-20T10:05:00Z");

    @TempDir
    Path dir;

    /** One failure of the two weeks: when, where, which real log, and what people said of the answer. */
    record Case(int daysAgo, String time, String dag, String task, String operator, String log, String reaction) {}

    static final List<Case> CASES = List.of(
            new Case(
                    13,
                    "03:11",
                    "daily_orders",
                    "transform",
                    "SparkSubmitOperator",
                    "examples/logs/spark-executor-oom.log",
                    "+1"),
            new Case(
                    12,
                    "03:14",
                    "daily_orders",
                    "load_orders",
                    "SQLExecuteQueryOperator",
                    "examples/logs/airflow-postgres-missing-column.log",
                    "white_check_mark"),
            new Case(
                    11,
                    "05:02",
                    "dwh_snapshots",
                    "snapshot_orders_history",
                    "SnowflakeOperator",
                    "corpus/logs/r045.log",
                    null),
            new Case(
                    10,
                    "03:12",
                    "daily_orders",
                    "transform",
                    "SparkSubmitOperator",
                    "examples/logs/spark-executor-oom.log",
                    "+1"),
            new Case(9, "02:40", "hubspot_sync", "extract_deals", "PythonOperator", "corpus/logs/r055.log", "+1"),
            new Case(
                    9,
                    "04:01",
                    "analytics_dbt",
                    "dbt_build",
                    "BashOperator",
                    "examples/logs/dbt-test-failure.log",
                    null),
            new Case(
                    8,
                    "03:10",
                    "daily_orders",
                    "transform",
                    "SparkSubmitOperator",
                    "examples/logs/spark-executor-oom.log",
                    null),
            new Case(
                    7,
                    "02:48",
                    "ingest_events",
                    "copy_to_raw",
                    "PythonOperator",
                    "examples/logs/mwaa-s3-expired-token.log",
                    "+1"),
            new Case(
                    6,
                    "03:14",
                    "daily_orders",
                    "load_orders",
                    "SQLExecuteQueryOperator",
                    "examples/logs/airflow-postgres-missing-column.log",
                    null),
            new Case(
                    6,
                    "11:20",
                    "oms_replication",
                    "insert_new_orders",
                    "SQLExecuteQueryOperator",
                    "corpus/logs/r067.log",
                    "x"),
            new Case(5, "02:41", "hubspot_sync", "extract_deals", "PythonOperator", "corpus/logs/r055.log", null),
            new Case(
                    4,
                    "03:13",
                    "daily_orders",
                    "transform",
                    "SparkSubmitOperator",
                    "examples/logs/spark-executor-oom.log",
                    "-1"),
            new Case(
                    4, "07:55", "ml_scoring", "score_customers", "KubernetesPodOperator", "corpus/logs/r100.log", "+1"),
            new Case(
                    3,
                    "05:03",
                    "dwh_snapshots",
                    "snapshot_orders_history",
                    "SnowflakeOperator",
                    "corpus/logs/r045.log",
                    "+1"),
            new Case(
                    2,
                    "01:30",
                    "redshift_marts",
                    "rebuild_fct_sessions",
                    "SQLExecuteQueryOperator",
                    "corpus/logs/r098.log",
                    null),
            new Case(
                    2,
                    "03:15",
                    "daily_orders",
                    "load_orders",
                    "SQLExecuteQueryOperator",
                    "examples/logs/airflow-postgres-missing-column.log",
                    "+1"),
            new Case(
                    1,
                    "06:31",
                    "ingest_events",
                    "copy_to_raw",
                    "PythonOperator",
                    "examples/logs/mwaa-s3-expired-token.log",
                    null),
            new Case(
                    1,
                    "09:10",
                    "web_analytics",
                    "sessionize_events",
                    "SparkSubmitOperator",
                    "corpus/logs/s026.log",
                    null),
            new Case(
                    0,
                    "03:12",
                    "daily_orders",
                    "transform",
                    "SparkSubmitOperator",
                    "examples/logs/spark-executor-oom.log",
                    "+1"),
            new Case(
                    0,
                    "03:16",
                    "daily_orders",
                    "load_orders_summary",
                    "SQLExecuteQueryOperator",
                    "corpus/logs/r044.log",
                    null),
            new Case(
                    0,
                    "04:02",
                    "analytics_dbt",
                    "dbt_build",
                    "BashOperator",
                    "examples/logs/dbt-test-failure.log",
                    "+1"));

    @Test
    void the_list_a_filter_an_incident_and_the_chart_render_in_headless_chromium() throws Exception {
        assumeTrue(HeadlessChromium.installed(), "Chromium is not installed at /usr/bin/chromium");
        Path root = Path.of(System.getProperty("deagent.root", "."));
        Path out = root.resolve("app/target");
        // the sources the investigations ask: an Airflow 2 API that has every task's log, and a Spark
        // History Server that no longer has the applications
        try (FakeAirflowApi airflow = FakeAirflowApi.airflow2();
                FakeSparkHistory history = FakeSparkHistory.empty();
                ServedIncidents s = ServedIncidents.start(
                        dir,
                        END.minus(Duration.ofDays(14)),
                        Map.of(
                                "SLACK_WORKSPACE_URL",
                                "https://acme-data.slack.com",
                                "AIRFLOW_BASE_URL",
                                airflow.baseUrl(),
                                "AIRFLOW_USERNAME",
                                FakeAirflowApi.USERNAME,
                                "AIRFLOW_PASSWORD",
                                FakeAirflowApi.PASSWORD,
                                "SPARK_HISTORY_URL",
                                history.baseUrl()))) {
            List<Long> ids = feed(s, airflow, root);

            try (HeadlessChromium chrome = HeadlessChromium.launch(1440, 900)) {
                // the list: every incident, newest first, styled, with the script's local times
                chrome.navigate(s.base + "/");
                assertThat(chrome.evaluate("location.pathname").asText()).isEqualTo("/incidents");
                assertThat(chrome.evaluate("document.querySelectorAll('#incidents tbody tr').length")
                                .asInt())
                        .isEqualTo(CASES.size());
                assertThat(chrome.evaluate("document.querySelector('#incidents tbody tr th a').textContent")
                                .asText())
                        .isEqualTo("analytics_dbt.dbt_build");
                assertThat(chrome.evaluate("getComputedStyle(document.querySelector('header.top')).backgroundColor")
                                .asText())
                        .as("the inline stylesheet passed the Content-Security-Policy")
                        .isEqualTo("rgb(23, 32, 46)");
                assertThat(chrome.evaluate("document.documentElement.dataset.times")
                                .asText())
                        .as("the self-served script ran")
                        .isEqualTo("local");
                assertThat(chrome.evaluate(
                                        "document.querySelectorAll('a[href^=\"https://acme-data.slack.com/archives/C0ALERTS/p\"]').length")
                                .asInt())
                        .isGreaterThan(0);
                chrome.screenshot(out.resolve("incidents-page.png"));

                // a filter: pick a category and submit the form, as a person would
                chrome.navigateBy("document.getElementById('f-category').value = 'out_of_memory_executor';"
                        + "document.getElementById('f-dag').value = 'daily_orders';"
                        + "document.querySelector('form.filters button[type=submit]').click()");
                assertThat(chrome.evaluate("location.search").asText())
                        .contains("dag_id=daily_orders", "category=out_of_memory_executor");
                JsonNode labels = chrome.evaluate(
                        "[...document.querySelectorAll('#incidents tbody tr .label')].map(e => e.textContent)");
                assertThat(labels).hasSize(5);
                labels.forEach(l -> assertThat(l.asText()).isEqualTo("out_of_memory_executor"));
                chrome.screenshot(out.resolve("incidents-page-filtered.png"));

                // an incident: open the newest one from the filtered list
                chrome.navigateBy("document.querySelector('#incidents tbody tr th a').click()");
                assertThat(chrome.evaluate("document.querySelector('h1').textContent")
                                .asText())
                        .contains("Executor ran out of heap");
                assertThat(chrome.evaluate("document.querySelectorAll('td.proof').length")
                                .asInt())
                        .isGreaterThanOrEqualTo(2);
                assertThat(chrome.evaluate(
                                        "[...document.querySelectorAll('td.proof')].map(e => e.textContent).join('\\n')")
                                .asText())
                        .contains("java.lang.OutOfMemoryError: Java heap space");
                JsonNode sources = chrome.evaluate("[...document.getElementById('evidence-heading')"
                        + ".nextElementSibling.querySelectorAll('tbody tr')].map(r => r.textContent)");
                assertThat(sources.toString()).contains("airflow", "ok", "spark_history");
                assertThat(chrome.evaluate("document.getElementById('timings-heading').nextElementSibling"
                                        + ".querySelectorAll('tbody tr').length")
                                .asInt())
                        .isGreaterThanOrEqualTo(4);
                assertThat(chrome.evaluate("document.body.textContent").asText())
                        .contains("increase_executor_memory", "1 marked it right");
                chrome.screenshot(out.resolve("incident-page.png"));

                // the patterns: the chart has bars, a legend, and says the same in a table
                chrome.navigate(s.base + "/patterns");
                int bars = chrome.evaluate("document.querySelectorAll('#chart g.day rect').length")
                        .asInt();
                assertThat(bars).isGreaterThanOrEqualTo(CASES.size() - 4);
                assertThat(chrome.evaluate("document.querySelector('#chart').getBoundingClientRect().height")
                                .asDouble())
                        .isGreaterThan(150);
                assertThat(chrome.evaluate("document.querySelectorAll('ul.legend li').length")
                                .asInt())
                        .isGreaterThanOrEqualTo(5);
                assertThat(chrome.evaluate("document.querySelectorAll('#chart-table tbody tr').length")
                                .asInt())
                        .isEqualTo(14);
                assertThat(chrome.evaluate("document.querySelector('#recurring tbody tr th').title")
                                .asText())
                        .matches("[0-9a-f]{16}");
                assertThat(chrome.evaluate("document.querySelectorAll('#accuracy tbody tr meter').length")
                                .asInt())
                        .isGreaterThanOrEqualTo(3);
                chrome.screenshot(out.resolve("patterns-page.png"));

                assertThat(chrome.console())
                        .as("no script errors and no Content-Security-Policy violations")
                        .noneMatch(m -> m.startsWith("error")
                                || m.contains("Content Security Policy")
                                || m.startsWith("exception"));
            }
            assertThat(ids).hasSize(CASES.size());
        }
        assertThat(Files.size(out.resolve("incidents-page.png"))).isGreaterThan(20_000);
    }

    /** Posts every case as a signed webhook at its time; some get a Slack thread and a reaction. */
    private static List<Long> feed(ServedIncidents s, FakeAirflowApi airflow, Path root) throws Exception {
        List<Long> ids = new ArrayList<>();
        int thread = 0;
        for (Case c : CASES) {
            Instant day = END.truncatedTo(java.time.temporal.ChronoUnit.DAYS).minus(Duration.ofDays(c.daysAgo()));
            Instant logical =
                    day.plus(Duration.ofHours(Integer.parseInt(c.time().substring(0, 2))));
            Instant at = day.plus(Duration.ofHours(Integer.parseInt(c.time().substring(0, 2))))
                    .plus(Duration.ofMinutes(Integer.parseInt(c.time().substring(3))));
            s.clock.set(at);
            ServedIncidents.Failure f = new ServedIncidents.Failure(
                    c.dag(), c.task(), logical, 1, c.operator(), Files.readString(root.resolve(c.log())));
            airflow.addDag(c.dag(), "/opt/airflow/dags/" + c.dag() + ".py", "data-platform");
            airflow.addDagRun(c.dag(), f.runId(), "failed", "scheduled", logical);
            airflow.addTaskInstance(FakeAirflowApi.TaskInstance.of(c.dag(), f.runId(), c.task(), 1, "failed")
                    .withOperator(c.operator())
                    .withTimes(logical.plusSeconds(60), at.minusSeconds(5)));
            airflow.addLog(c.dag(), f.runId(), c.task(), 1, f.log());
            long id = s.fail(f);
            ids.add(id);
            if (c.reaction() != null) {
                s.clock.set(at.plusSeconds(2)); // the alert, right after the callback
                s.alertInSlack(id, f, (at.getEpochSecond() + 2) + ".00" + (1000 + thread++));
                s.react(id, "U0ONCALL", c.reaction());
            }
        }
        s.clock.set(END);
        return ids;
    }
}
