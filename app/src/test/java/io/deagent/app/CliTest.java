package io.deagent.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The CLI as a user runs it: exit codes, one-line errors, the report and the JSON. */
class CliTest {

    @TempDir
    Path dir;

    record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = Main.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static final String LOG = """
            [2026-11-20, 03:14:07 UTC] {taskinstance.py:2698} ERROR - Task failed with exception
            Traceback (most recent call last):
              File "/opt/airflow/dags/orders.py", line 31, in load
                cur.execute(sql)
            psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
            LINE 1: SELECT customer_idd FROM analytics.orders
            """;

    @Test
    void reportSaysWhatWhyAndWhatToDo() throws Exception {
        Result r = run("diagnose", write("task.log", LOG).toString());
        assertThat(r.code()).isZero();
        assertThat(r.out()).contains("Column customer_idd does not exist", "Why", "What to do", "missing_column");
        assertThat(r.out()).doesNotContain("\u001B[");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void jsonIsOneDiagnosisObject() throws Exception {
        Result r = run("diagnose", "--json", write("task.log", LOG).toString());
        JsonNode d = new ObjectMapper().readTree(r.out());
        assertThat(d.get("schema").asText()).isEqualTo("de-agent/diagnosis@1");
        assertThat(d.get("category").asText()).isEqualTo("missing_column");
        assertThat(d.get("fix").get("class").asText()).isEqualTo("fix_column_reference");
        assertThat(d.get("root_cause").get("line").asInt()).isEqualTo(5);
        assertThat(d.get("evidence").get(0).get("source").asText()).isEqualTo("log");
        assertThat(d.get("entities").get("column").asText()).isEqualTo("customer_idd");
        assertThat(d.get("explained_by").asText()).isEqualTo("rules");
        assertThat(d.get("signature").asText()).hasSize(16);
    }

    @Test
    void theReadmesFixExampleChangesTheDagsSparkSubmitConfAndASecondRunDeclines() throws Exception {
        Path examples = Path.of("..", "examples");
        Result diagnosis = run(
                "diagnose",
                "--json",
                examples.resolve("logs/spark-executor-oom.log").toString());
        Path d = write("oom.json", diagnosis.out());
        Path dag = write("daily_orders.py", Files.readString(examples.resolve("pipelines/dags/daily_orders.py")));

        Result diff = run("fix", dag.toString(), "--category", "out_of_memory_executor", "--diagnosis", d.toString());
        assertThat(diff.code()).as(diff.err()).isZero();
        assertThat(diff.out())
                .contains("-            \"spark.executor.memory\": \"4g\",  # Größe pro Executor")
                .contains("+            \"spark.executor.memory\": \"8g\",  # Größe pro Executor  # de-agent:");

        assertThat(run(
                                "fix",
                                dag.toString(),
                                "--category",
                                "out_of_memory_executor",
                                "--diagnosis",
                                d.toString(),
                                "--write")
                        .code())
                .isZero();
        Result again = run("fix", dag.toString(), "--category", "out_of_memory_executor", "--diagnosis", d.toString());
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("no safe automatic fix").doesNotContain("+++");
    }

    @Test
    void eventWithInlineLogOrLogFile() throws Exception {
        write("task.log", LOG);
        Path inline = write(
                "inline.json",
                "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"try_number\":2," + "\"log\":"
                        + new ObjectMapper().writeValueAsString(LOG) + "}");
        Path byFile = write(
                "byfile.json", "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"log_file\":\"task.log\"}");
        for (Path event : new Path[] {inline, byFile}) {
            Result r = run("diagnose", "--json", "--event", event.toString());
            assertThat(r.code()).as(r.err()).isZero();
            JsonNode d = new ObjectMapper().readTree(r.out());
            assertThat(d.get("category").asText()).isEqualTo("missing_column");
            assertThat(d.get("entities").get("dag_id").asText()).isEqualTo("daily_orders");
        }
    }

    @Test
    void missingFileIsOneLineAndExitTwo() {
        Result r = run("diagnose", dir.resolve("nope.log").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err().strip())
                .startsWith("de-agent: no such log file")
                .doesNotContain("\n")
                .doesNotContain("Exception");
    }

    @Test
    void malformedEventSaysWhere() throws Exception {
        Result r = run(
                "diagnose",
                "--event",
                write("bad.json", "{\"dag_id\": \"x\",\n \"task_id\": }").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("malformed JSON at line 2, column").doesNotContain("\tat ");
        Result missing = run(
                "diagnose",
                "--event",
                write("nodag.json", "{\"task_id\":\"t\"}").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("missing \"dag_id\"");
    }

    @Test
    void directoryAndUnknownOptionAreUsageErrors() {
        assertThat(run("diagnose", dir.toString()).code()).isEqualTo(2);
        assertThat(run("diagnose", "--nope").code()).isEqualTo(2);
    }

    @Test
    void binaryAndEmptyInputsAreDiagnosedNotCrashed() throws Exception {
        byte[] noise = new byte[100_000];
        new Random(1).nextBytes(noise);
        Path bin = dir.resolve("core.bin");
        Files.write(bin, noise);
        Result b = run("diagnose", "--json", bin.toString());
        assertThat(b.code()).isZero();
        assertThat(new ObjectMapper().readTree(b.out()).get("category").asText())
                .isEqualTo("unknown");
        Result e = run("diagnose", "--json", write("empty.log", "").toString());
        assertThat(e.code()).isZero();
        assertThat(new ObjectMapper().readTree(e.out()).get("category").asText())
                .isEqualTo("unknown");
    }

    @Test
    void stdinWithDash() throws Exception {
        var original = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(LOG.getBytes(StandardCharsets.UTF_8)));
            Result r = run("diagnose", "--json", "-");
            assertThat(new ObjectMapper().readTree(r.out()).get("category").asText())
                    .isEqualTo("missing_column");
        } finally {
            System.setIn(original);
        }
    }

    @Test
    void evalPrintsAccuracyPerCategoryAndConfusions() throws Exception {
        write("a.log", LOG);
        write(
                "b.log",
                "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the GetObject"
                        + " operation: Access Denied\n");
        Path cases = write("cases.jsonl", """
                {"id":"1","log":"a.log","category":"missing_column","fix_class":"fix_column_reference","entities":{"column":"customer_idd"}}
                {"id":"2","log":"b.log","category":"permission_denied","fix_class":"grant_permission","entities":{},"hard":true}
                {"id":"3","log":"ERROR: duplicate key value violates unique constraint \\"orders_pkey\\"","category":"timeout","fix_class":"increase_timeout","entities":{}}
                """);
        Result r = run("eval", cases.toString());
        assertThat(r.code()).isZero();
        assertThat(r.out())
                .contains("missing_column", "100.0%", "ALL (category accuracy)", "66.7%", "hard cases")
                .contains("timeout → duplicate_key");
        assertThat(run("eval", "--fail-under", "90", cases.toString()).code()).isEqualTo(1);
    }

    @Test
    void evalSaysWhichCaseLostItsLogFile() throws Exception {
        Path cases = write("lost.jsonl", "{\"id\":\"c7\",\"log\":\"logs/gone.log\",\"category\":\"timeout\"}\n");
        Result r = run("eval", cases.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("case c7: log file logs/gone.log not found");
    }

    @Test
    void replayIsOfflineByDefaultAndPostRecordsOneIncidentThatRecurs() throws Exception {
        Path config = write("de-agent.yaml", "DE_AGENT_DB_URL: jdbc:h2:file:" + dir.resolve("store") + "\n");
        write("task.log", LOG);
        Path event = write("event.json", """
                {"dag_id": "daily_orders", "task_id": "load_orders", "run_id": "scheduled__2026-11-20T03:00:00+00:00",
                 "try_number": 1, "log_file": "task.log"}
                """);

        Result offline = run("replay", event.toString(), "--json", "--config", config.toString());
        assertThat(offline.code()).as(offline.err()).isZero();
        assertThat(offline.err()).contains("offline replay: nothing recorded or sent");
        assertThat(new ObjectMapper().readTree(offline.out()).get("recurrence").isNull())
                .isTrue();

        Result posted = run("replay", event.toString(), "--json", "--post", "--config", config.toString());
        assertThat(posted.code()).as(posted.err()).isZero();
        assertThat(posted.err()).contains("recorded as incident 1");
        JsonNode d = new ObjectMapper().readTree(posted.out());
        assertThat(d.get("category").asText()).isEqualTo("missing_column");
        assertThat(d.at("/recurrence/seen").asInt()).isEqualTo(1);

        Result again = run("replay", event.toString(), "--post", "--config", config.toString());
        assertThat(again.code()).isZero();
        assertThat(again.err()).contains("already incident 1");
        assertThat(again.out()).contains("New: the first time this failure was seen for this task");

        Path nextDay = write("next.json", Files.readString(event).replace("2026-11-20", "2026-11-21"));
        Result recurring = run("replay", nextDay.toString(), "--post", "--config", config.toString());
        assertThat(recurring.out()).containsPattern("Seen 2 times for this task since 20\\d\\d-");

        Result laterOffline = run("replay", event.toString(), "--json", "--config", config.toString());
        assertThat(new ObjectMapper()
                        .readTree(laterOffline.out())
                        .at("/recurrence/seen")
                        .asInt())
                .isEqualTo(2);
    }

    @Test
    void replayOfAMissingOrBrokenEventIsAUsageError() throws Exception {
        Result missing = run("replay", dir.resolve("nope.json").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("de-agent: no such event file");

        Result broken = run("replay", write("bad.json", "{\"dag_id\": ").toString());
        assertThat(broken.code()).isEqualTo(2);
        assertThat(broken.err()).contains("malformed JSON at line 1");

        Result badConfig = run(
                "replay",
                write("ok.json", "{\"dag_id\":\"d\",\"task_id\":\"t\"}").toString(),
                "--config",
                write("c.yaml", "DE_AGENT_WORKERS: [1, 2]\n").toString());
        assertThat(badConfig.code()).isEqualTo(2);
        assertThat(badConfig.err()).contains("DE_AGENT_WORKERS must be a plain value");
    }

    @Test
    void aStoreThatCannotBeOpenedIsAnIntegrationFailureWithTheReason() throws Exception {
        Path config = write("pg.yaml", "DE_AGENT_DB_URL: jdbc:postgresql://127.0.0.1:1/nothing\n");
        Result r = run(
                "replay",
                write("ok.json", "{\"dag_id\":\"d\",\"task_id\":\"t\",\"exception\":\"boom\"}")
                        .toString(),
                "--post",
                "--config",
                config.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err())
                .startsWith("de-agent: cannot open the incident store at jdbc:postgresql://127.0.0.1:1/nothing");
        assertThat(r.err().lines().count()).isEqualTo(1);
    }

    @Test
    void doctorReachesTheStoreAndSlackAndSaysWhatFailed() throws Exception {
        try (var slack = io.deagent.testkit.FakeSlackApi.start()) {
            String base = "DE_AGENT_DB_URL: jdbc:h2:file:" + dir.resolve("doctor") + "\n"
                    + "SLACK_SIGNING_SECRET: s\nSLACK_API_URL: " + slack.baseUrl() + "\n";
            Result ok = run(
                    "doctor",
                    "--config",
                    write("ok.yaml", base + "SLACK_BOT_TOKEN: xoxb-test\n" + "SLACK_CHANNELS: C0ALERTS\n")
                            .toString());
            assertThat(ok.code()).as(ok.out()).isZero();
            assertThat(ok.out()).contains("ok    store", "ok    slack     signed in as U0BOT", "channel C0ALERTS is #");
            assertThat(ok.out()).contains("warn  webhook   DE_AGENT_WEBHOOK_SECRET is not set");

            Result badToken = run(
                    "doctor",
                    "--config",
                    write("bad.yaml", base + "SLACK_BOT_TOKEN: xoxb-wrong\n").toString());
            assertThat(badToken.code()).isEqualTo(1);
            assertThat(badToken.out()).contains("FAIL  slack     auth.test: invalid_auth (check SLACK_BOT_TOKEN)");

            slack.markChannelMissing("C0GONE123");
            Result gone = run(
                    "doctor",
                    "--config",
                    write("gone.yaml", base + "SLACK_BOT_TOKEN: xoxb-test\n" + "SLACK_CHANNELS: C0GONE123\n")
                            .toString());
            assertThat(gone.code()).isEqualTo(1);
            assertThat(gone.out()).contains("channel C0GONE123: channel_not_found");
        }
    }

    @Test
    void doctorChecksTheRepositoryGitHubAndEachNotifierThatIsConfigured() throws Exception {
        Path bare = io.deagent.testkit.GitRepos.bareWith(dir.resolve("git"), java.util.Map.of("a.py", "a = 1\n"));
        com.icegreen.greenmail.util.GreenMail smtp = new com.icegreen.greenmail.util.GreenMail(
                new com.icegreen.greenmail.util.ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());
        smtp.start();
        try (var github = io.deagent.testkit.FakeGitHubApi.start();
                var jira = io.deagent.testkit.FakeJiraApi.start()) {
            github.addRepository("acme/pipelines", "main");
            jira.addProject("DT", "Data team");
            String base = "DE_AGENT_DB_URL: jdbc:h2:file:" + dir.resolve("doctor2") + "\n"
                    + "DE_AGENT_REPO_URL: " + bare.toUri() + "\n"
                    + "GITHUB_REPOSITORY: acme/pipelines\n"
                    + "GITHUB_API_URL: " + github.baseUrl() + "\n"
                    + "SMTP_HOST: 127.0.0.1\nSMTP_TLS: none\nSMTP_PORT: '"
                    + smtp.getSmtp().getPort() + "'\n"
                    + "DE_AGENT_EMAIL_TO: oncall@example.com\n"
                    + "JIRA_BASE_URL: " + jira.baseUrl() + "\nJIRA_PROJECT: DT\n"
                    + "JIRA_EMAIL: " + io.deagent.testkit.FakeJiraApi.DEFAULT_EMAIL + "\n"
                    + "JIRA_API_TOKEN: " + io.deagent.testkit.FakeJiraApi.DEFAULT_API_TOKEN + "\n";
            Result ok = run(
                    "doctor",
                    "--config",
                    write("fix-ok.yaml", base + "GITHUB_TOKEN: " + github.token() + "\n")
                            .toString());
            assertThat(ok.out())
                    .contains("ok    fixes     pull-request: " + bare.toUri() + " answers with 1 branch(es)")
                    .contains("ok    github    signed in as de-agent-bot; acme/pipelines has default branch main")
                    .contains("ok    email     SMTP 127.0.0.1:")
                    .contains("ok    jira      signed in as")
                    .contains("skip  pagerduty not configured");

            Result noToken = run(
                    "doctor",
                    "--config",
                    write("fix-bad.yaml", base + "PAGERDUTY_ROUTING_KEY: x\n").toString());
            assertThat(noToken.code()).isEqualTo(1);
            assertThat(noToken.out())
                    .contains("FAIL  github    pull requests need GITHUB_TOKEN")
                    .contains("FAIL  pagerduty PAGERDUTY_ROUTING_KEY is not a 32-character integration key");
        } finally {
            smtp.stop();
        }
    }

    @Test
    void evalLlmScoresTheLlmPathWithTokensCostAndLatencyPerCase() throws Exception {
        write("task.log", LOG);
        Path cases = write(
                "cases.jsonl",
                "{\"id\":\"c1\",\"log\":\"task.log\",\"category\":\"missing_column\",\"fix_class\":\"fix_column_reference\"}\n");
        Result noKey = run(
                "eval",
                cases.toString(),
                "--llm",
                "--config",
                write("none.yaml", "DE_AGENT_LLM: none\n").toString());
        assertThat(noKey.code()).isEqualTo(2);
        assertThat(noKey.err()).contains("eval --llm needs an LLM");

        try (var fake = io.deagent.testkit.FakeLlmApi.start()) {
            // a well-formed answer that cites line 5 (the UndefinedColumn line of LOG)
            fake.answerAlways(
                    "{\"category\":\"missing_column\",\"title\":\"customer_idd is not a column of analytics.orders\","
                            + "\"summary\":\"A typo in the column name.\",\"confidence\":0.9,\"fix\":{\"class\":\"fix_column_reference\","
                            + "\"summary\":\"Fix the name.\",\"steps\":[\"Use customer_id.\"]},\"evidence_lines\":[5]}");
            fake.usage(1500, 60);
            Path cfg = write(
                    "llm.yaml",
                    "DE_AGENT_LLM: openai\nOPENAI_API_KEY: k\nDE_AGENT_LLM_BASE_URL: "
                            + fake.baseUrl(io.deagent.testkit.FakeLlmApi.Provider.OPENAI) + "\n");
            Result r = run("eval", cases.toString(), "--llm", "--config", cfg.toString());
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(r.out()).contains("the LLM path, per case", "c1", "tokens 1500 in, 60 out");
            assertThat(r.out()).contains("1 of 1 cases answered by the model");
        }
    }

    @Test
    void fixPrintsADiffWritesWithWriteAndDeclinesCalmly() throws Exception {
        String job = """
                from pyspark.sql import SparkSession

                # nightly Überweisungen rollup
                spark = (
                    SparkSession.builder
                    .appName("orders_daily")
                    .config("spark.executor.memory", "4g")
                    .getOrCreate()
                )
                """;
        Path py = write("job.py", job);

        Result diff = run("fix", py.toString(), "--category", "out_of_memory_executor");
        assertThat(diff.code()).as(diff.err()).isZero();
        assertThat(diff.out())
                .contains(
                        "--- a/",
                        "+++ b/",
                        "-    .config(\"spark.executor.memory\", \"4g\")",
                        "+    .config(\"spark.executor.memory\", \"8g\")");
        assertThat(Files.readString(py)).isEqualTo(job);

        Result written = run("fix", py.toString(), "--category", "out_of_memory_executor", "--write");
        assertThat(written.code()).isZero();
        assertThat(Files.readString(py)).contains("\"8g\"", "Überweisungen").isNotEqualTo(job);

        Path plain = write("plain.py", "print('no spark here')\n");
        Result declined = run("fix", plain.toString(), "--category", "data_skew");
        assertThat(declined.code()).isZero();
        assertThat(declined.out())
                .startsWith("de-agent: no safe automatic fix:")
                .contains("What to do instead:");

        Result unknown = run("fix", py.toString(), "--category", "gremlins");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err()).contains("unknown category 'gremlins'");
    }

    @Test
    void doctorSaysWhichLlmExplainsOrWhatItsSettingsLack() throws Exception {
        String store = "DE_AGENT_DB_URL: jdbc:h2:file:" + dir.resolve("doctor-llm") + "\n";
        Result configured = run(
                "doctor",
                "--config",
                write("g.yaml", store + "DE_AGENT_LLM: gemini\nGEMINI_API_KEY: k\n")
                        .toString());
        assertThat(configured.out()).contains("ok    llm       gemini/gemini-2.0-flash explains on top of the rules");
        assertThat(configured.out()).doesNotContain(" k ");
        Result missingKey = run(
                "doctor",
                "--config",
                write("a.yaml", store + "DE_AGENT_LLM: anthropic\n").toString());
        assertThat(missingKey.code()).isEqualTo(1);
        assertThat(missingKey.out()).contains("FAIL  llm       DE_AGENT_LLM=anthropic needs ANTHROPIC_API_KEY");
    }
}
