package io.deagent.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeAirflowApi;
import io.deagent.testkit.FakeMwaaApi;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The pipeline with real sources against local fakes that speak the real wire formats: an event that
 * carries no log is diagnosed from the task log the source fetched; a source that hangs or is down costs
 * the deadline at most and is named in missing_evidence.
 */
class SourcesEndToEndTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String RUN = "scheduled__2026-11-20T03:00:00+00:00";

    @TempDir
    Path dir;

    FakeAirflowApi airflow;
    FakeMwaaApi mwaa;

    @AfterEach
    void stop() {
        if (mwaa != null) {
            mwaa.close();
        }
        if (airflow != null) {
            airflow.close();
        }
    }

    record Result(int code, String out, String err) {}

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return new Result(cli.execute(args), out.toString(), err.toString());
    }

    /** An event as a Slack alert or a webhook without the log tail would give it: ids and nothing else. */
    Path event() throws Exception {
        Path p = dir.resolve("event.json");
        Files.writeString(
                p,
                "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"run_id\":\"" + RUN + "\",\"try_number\":2}",
                StandardCharsets.UTF_8);
        return p;
    }

    Path config(String yaml) throws Exception {
        Path p = dir.resolve("de-agent.yaml");
        Files.writeString(p, "DE_AGENT_DB_URL: jdbc:h2:file:" + dir.resolve("store") + "\n" + yaml);
        return p;
    }

    void seed(FakeAirflowApi a) throws Exception {
        a.addDag("daily_orders", "/opt/airflow/dags/daily_orders.py", "data-platform");
        a.addDagRun("daily_orders", RUN, "failed", "scheduled", Instant.parse("2026-11-20T03:00:00Z"));
        a.addTaskInstance("daily_orders", RUN, "load_orders", 2, "failed");
        String log = Files.readString(TestRoot.path("examples/logs/airflow-postgres-missing-column.log"));
        a.addLog("daily_orders", RUN, "load_orders", 2, log);
    }

    JsonNode replay(Path config) throws Exception {
        Result r = run("replay", event().toString(), "--json", "--config", config.toString());
        assertThat(r.code()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void airflow_2_serves_the_log_of_an_event_that_has_none() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        seed(airflow);
        JsonNode d = replay(config("AIRFLOW_BASE_URL: " + airflow.baseUrl() + "\nAIRFLOW_USERNAME: "
                + FakeAirflowApi.USERNAME + "\nAIRFLOW_PASSWORD: " + FakeAirflowApi.PASSWORD + "\n"));
        assertThat(d.get("category").asText()).isEqualTo("missing_column");
        assertThat(d.get("missing_evidence")).isEmpty();
        assertThat(airflow.requests("/api/v1/")).isNotEmpty();
    }

    @Test
    void airflow_3_serves_the_log_of_an_event_that_has_none() throws Exception {
        airflow = FakeAirflowApi.airflow3();
        seed(airflow);
        JsonNode d = replay(config("AIRFLOW_BASE_URL: " + airflow.baseUrl() + "\nAIRFLOW_USERNAME: "
                + FakeAirflowApi.USERNAME + "\nAIRFLOW_PASSWORD: " + FakeAirflowApi.PASSWORD + "\n"));
        assertThat(d.get("category").asText()).isEqualTo("missing_column");
        assertThat(airflow.requests("/api/v2/")).isNotEmpty();
    }

    @Test
    void mwaa_serves_it_through_invoke_rest_api_at_the_configured_aws_endpoint() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        seed(airflow);
        mwaa = FakeMwaaApi.start("prod-env", airflow);
        String oldKey = System.getProperty("aws.accessKeyId");
        String oldSecret = System.getProperty("aws.secretAccessKey");
        System.setProperty("aws.accessKeyId", "AKIDEXAMPLE");
        System.setProperty("aws.secretAccessKey", "dummy-secret-for-the-fake");
        try {
            JsonNode d = replay(config(
                    "MWAA_ENVIRONMENT: prod-env\nAWS_REGION: eu-west-1\nAWS_ENDPOINT_URL: " + mwaa.endpoint() + "\n"));
            assertThat(d.get("category").asText()).isEqualTo("missing_column");
            assertThat(mwaa.invocations()).isNotEmpty();
        } finally {
            restore("aws.accessKeyId", oldKey);
            restore("aws.secretAccessKey", oldSecret);
        }
    }

    @Test
    void a_source_that_hangs_costs_the_deadline_and_is_named_in_missing_evidence() throws Exception {
        airflow = FakeAirflowApi.airflow2();
        seed(airflow);
        airflow.failNext(100, FakeAirflowApi.Trouble.hang());
        long start = System.nanoTime();
        JsonNode d = replay(config("AIRFLOW_BASE_URL: " + airflow.baseUrl() + "\nAIRFLOW_USERNAME: "
                + FakeAirflowApi.USERNAME + "\nAIRFLOW_PASSWORD: " + FakeAirflowApi.PASSWORD + "\n"
                + "DE_AGENT_DEADLINE_SECONDS: 2\n"));
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).as("finished by its deadline (2 s) plus start-up").isLessThan(6_000);
        assertThat(d.get("missing_evidence").toString()).contains("airflow");
    }

    @Test
    void with_every_source_down_the_diagnosis_still_comes_from_what_the_event_said() throws Exception {
        Path e = dir.resolve("alert.json");
        Files.writeString(
                e,
                "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"run_id\":\"" + RUN + "\","
                        + "\"exception\":\"psycopg2.errors.UndefinedColumn: column \\\"customer_idd\\\" does not exist\","
                        + "\"log\":\"Exception in task 3.0 in stage 2.0 (application_1700000000000_0042)\"}");
        Path cfg = config("AIRFLOW_BASE_URL: http://127.0.0.1:1\nSPARK_HISTORY_URL: http://127.0.0.1:1\n"
                + "DE_AGENT_DEADLINE_SECONDS: 3\n");
        Result r = run("replay", e.toString(), "--json", "--config", cfg.toString());
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode d = JSON.readTree(r.out());
        assertThat(d.get("missing_evidence").toString()).contains("airflow");
    }

    private static void restore(String key, String old) {
        if (old == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, old);
        }
    }

    @Test
    void spark_history_measurements_confirm_the_diagnosis_and_are_shown_as_evidence() throws Exception {
        // real Spark 4.2 History Server answers, recorded from a skewed local run (sources test resources)
        try (var history = io.deagent.testkit.FakeSparkHistory.serving(
                TestRoot.path("sources/src/test/resources/spark/recorded"))) {
            Path e = dir.resolve("spark.json");
            Files.writeString(
                    e,
                    JSON.writeValueAsString(java.util.Map.of(
                            "dag_id",
                            "orders_daily",
                            "task_id",
                            "aggregate",
                            "run_id",
                            RUN,
                            "log",
                            "26/11/20 03:14:07 INFO SparkContext: Submitted application local-1795246996301\n"
                                    + "26/11/20 03:20:01 ERROR Executor: Exception in task 3.0 in stage 3.0 (TID 41)\n"
                                    + "java.lang.OutOfMemoryError: Java heap space\n"
                                    + "\tat java.util.Arrays.copyOf(Arrays.java:3236)\n")));
            Result r = run(
                    "replay",
                    e.toString(),
                    "--json",
                    "--config",
                    config("SPARK_HISTORY_URL: " + history.baseUrl() + "\n").toString());
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode d = JSON.readTree(r.out());
            assertThat(d.get("category").asText()).isEqualTo("out_of_memory_executor");
            assertThat(d.get("evidence").toString()).contains("spark_history", "spark.stage.spill.diskBytes");
            assertThat(history.calls("local-1795246996301")).isNotEmpty();
        }
    }
}
