package io.deagent.slack.reply;

import static io.deagent.slack.reply.BlockKitLimits.assertWithinLimits;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ReplyRendererTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String EVENT = """
            {"dag_id": "daily_orders", "task_id": "load_orders",
             "run_id": "scheduled__2026-11-20T03:00:00+00:00", "try_number": 1,
             "log_url": "http://airflow.example/dags/daily_orders/grid?dag_run_id=scheduled__2026-11-20T03%3A00%3A00%2B00%3A00&task_id=load_orders"}
            """;

    private static final Optional<String> INCIDENT = Optional.of("https://de-agent.example/incidents/42");

    /** The Airflow task log of the README's example (examples/logs/airflow-postgres-missing-column.log). */
    private static final String MISSING_COLUMN_LOG = """
            [2026-11-20, 03:14:02 UTC] {taskinstance.py:1469} INFO - Starting attempt 1 of 3
            [2026-11-20, 03:14:03 UTC] {base.py:73} INFO - Using connection ID 'warehouse' for task execution.
            [2026-11-20, 03:14:03 UTC] {sql.py:457} INFO - Running statement: INSERT INTO analytics.orders_daily SELECT order_id, customer_idd, amount FROM staging.orders WHERE order_date = '2026-11-20', parameters: None
            [2026-11-20, 03:14:03 UTC] {taskinstance.py:1938} ERROR - Task failed with exception
            Traceback (most recent call last):
              File "/home/airflow/.local/lib/python3.11/site-packages/airflow/providers/common/sql/hooks/sql.py", line 459, in _run_command
                cur.execute(sql_statement)
            psycopg2.errors.UndefinedColumn: column "customer_idd" does not exist
            LINE 1: INSERT INTO analytics.orders_daily SELECT order_id, customer_idd...
                                                                        ^
            HINT:  Perhaps you meant to reference the column "orders.customer_id".

            [2026-11-20, 03:14:03 UTC] {taskinstance.py:1400} INFO - Marking task as UP_FOR_RETRY. dag_id=daily_orders, task_id=load_orders
            [2026-11-20, 03:14:03 UTC] {local_task_job_runner.py:228} INFO - Task exited with return code 1
            """;

    /** Everything Slack would turn into a ping, a mention or a link, plus a fence that would close a code block. */
    private static final String HOSTILE =
            "<!channel> <!here> <!everyone> <@U024BE7LH> <#C123> <!subteam^S123> @here @channel @everyone"
                    + " <https://evil|click> ``` *bold* _it_ ~strike~ & done";

    private static final List<String> FORBIDDEN = List.of(
            "<!channel>",
            "<!here>",
            "<!everyone>",
            "<@U024BE7LH>",
            "<#C123>",
            "<!subteam^S123>",
            "<https://evil|click>",
            "<https://evil");

    private static final Pattern ANGLE = Pattern.compile("<[^>]*>");
    private static final Pattern BARE_BROADCAST = Pattern.compile("(?i)@(here|channel|everyone)");

    @Test
    void missingColumnReplyNamesTheCategoryVerbatimWithProofAndSteps() {
        FailureEvent e = event(EVENT);
        Diagnosis d = diagnose(MISSING_COLUMN_LOG, e, List.of());

        SlackMessage reply = ReplyRenderer.result(e, d, INCIDENT);

        assertThat(d.category()).isEqualTo("missing_column");
        String all = String.join("\n", assertWithinLimits(reply));
        assertThat(all)
                .contains(":red_circle: *Column `customer_idd` does not exist")
                .contains("`missing_column`")
                .contains("fix `fix_column_reference`")
                .contains("signature `" + d.signature() + "`")
                .contains("*Why*  ·  confidence 0.98")
                .contains("Root cause: `psycopg2.errors.UndefinedColumn`: column \"`customer_idd`\" does not exist")
                .contains("line 8 │ psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist")
                .contains("*What to do*\nPoint the SQL at the column that exists.\n1. Compare with")
                .contains("<http://airflow.example/dags/daily_orders/grid?dag_run_id="
                        + "scheduled__2026-11-20T03%3A00%3A00%2B00%3A00&amp;task_id=load_orders|Log>")
                .contains("<https://de-agent.example/incidents/42|Incident>")
                .contains("*DAG*\n`daily_orders`", "*Task*\n`load_orders`", "*Try*\n`1`")
                .contains("*column*\n`customer_idd`", "*table*\n`staging.orders`")
                .doesNotContain("Seen before", "transient", "Missing evidence");
        assertThat(reply.text())
                .startsWith("Column `customer_idd` does not exist in staging.orders in `daily_orders.load_orders` — "
                        + "`missing_column` (confidence 0.98). Compare with the table");
    }

    @Test
    void printsTheMissingColumnReply() throws Exception {
        FailureEvent e = event(EVENT);
        Diagnosis d = diagnose(MISSING_COLUMN_LOG, e, List.of())
                .withRecurrence(new Diagnosis.Recurrence(3, Optional.of("2026-11-02T03:00:00Z"), Optional.empty()));

        SlackMessage reply = ReplyRenderer.result(e, d, INCIDENT);

        System.out.println("---- text ----");
        System.out.println(reply.text());
        System.out.println("---- blocks ----");
        System.out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(reply.blocksJson())));
        System.out.println("---- mrkdwn of each block ----");
        assertWithinLimits(reply).forEach(t -> System.out.println(t + "\n·"));
        assertThat(reply.blocksJson()).contains("Seen 3 times since 2026-11-02");
    }

    @Test
    void nothingFromALogOrEventCanPingLinkOrBreakACodeBlock() {
        FailureEvent e = event("""
                {"dag_id": "daily_orders", "task_id": "load_orders", "run_id": "%s", "try_number": 2,
                 "log_url": "http://airflow.example/log?x=1|<!channel>"}
                """.formatted(HOSTILE.replace("\"", "")));
        String log = "[2026-11-20, 03:14:03 UTC] {taskinstance.py:1938} ERROR - Task failed with exception\n"
                + "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist " + HOSTILE + "\n";
        Diagnosis engine = diagnose(log, e, List.of("airflow: " + HOSTILE));
        Diagnosis d = withEverything(engine, HOSTILE);

        assertThat(engine.category()).isEqualTo("missing_column");
        assertThat(engine.evidence()).anySatisfy(l -> assertThat(l.text()).contains(HOSTILE));
        List<SlackMessage> replies = new ArrayList<>(all(e, engine));
        replies.addAll(all(e, d));
        replies.add(ReplyRenderer.failed(e, "java.lang.IllegalStateException: " + HOSTILE + "\n\tat " + HOSTILE));

        for (SlackMessage reply : replies) {
            List<String> texts = assertWithinLimits(reply);
            for (String s : List.of(reply.text(), reply.blocksJson())) {
                assertThat(s).doesNotContain(FORBIDDEN);
                assertThat(BARE_BROADCAST.matcher(s).find()).as(s).isFalse();
                assertOnlyOurLinks(s);
            }
            for (String text : texts) {
                int fences = text.split("```", -1).length - 1;
                assertThat(fences).as("fences in " + text).isIn(0, 2);
                assertThat(outsideCode(text)).doesNotContain("*bold*", "_it_", "~strike~");
            }
        }
        // the hostile text is shown, harmlessly, rather than dropped
        assertThat(ReplyRenderer.result(e, engine, INCIDENT).blocksJson())
                .contains("&lt;!channel&gt;", "@\u200Bhere", "`*bold*`", "`\u200B`\u200B`", "&amp; done");
        assertThat(ReplyRenderer.logs(engine).blocksJson()).contains("&lt;@U024BE7LH&gt;", "`\u200B`\u200B`");
    }

    @Test
    void aHugeLogStaysWithinEveryLimit() {
        FailureEvent e = event(EVENT);
        StringBuilder log = new StringBuilder();
        String wide = "x".repeat(10 * 1024);
        for (int i = 1; i < 5000; i++) {
            log.append(i % 50 == 0 ? "ERROR & <b> " + wide : "INFO - step " + i).append('\n');
        }
        log.append("psycopg2.errors.UndefinedColumn: column \"")
                .append("&<>".repeat(3000))
                .append("\" does not exist\n");
        Diagnosis d = diagnose(log.toString(), e, List.of());

        for (SlackMessage reply : all(e, d)) {
            assertWithinLimits(reply);
        }
    }

    @Test
    void aDiagnosisFarBeyondSlackLimitsIsCutToFitAndSaysSo() {
        String huge = "&<>`*_".repeat(2000);
        FailureEvent e = event("""
                {"dag_id": "%s", "task_id": "%s", "run_id": "%s", "try_number": 2, "log_url": "http://a.example/%s"}
                """.formatted("d".repeat(250), "t".repeat(250), "r".repeat(250), "&".repeat(10_000)));
        List<Diagnosis.EvidenceLine> evidence = IntStream.rangeClosed(1, 5000)
                .mapToObj(i -> new Diagnosis.EvidenceLine("log", i, i + " " + huge))
                .toList();
        Map<String, String> entities = new LinkedHashMap<>();
        IntStream.range(0, 100).forEach(i -> entities.put("key_" + i, huge));
        Diagnosis d = new Diagnosis(
                Diagnosis.SCHEMA,
                "missing_column",
                huge,
                huge,
                "sql",
                "transient",
                0.5,
                Optional.of(new Diagnosis.RootCause(huge, huge, 7)),
                entities,
                evidence,
                new Diagnosis.Fix(
                        "fix_column_reference",
                        huge,
                        IntStream.range(0, 5000).mapToObj(i -> huge).toList(),
                        Optional.empty()),
                huge,
                Optional.of(new Diagnosis.Recurrence(9, Optional.of(huge), Optional.of(huge))),
                IntStream.range(0, 500).mapToObj(i -> huge).toList(),
                huge,
                Optional.empty(),
                new Diagnosis.LogStats(5000, 50_000_000, "UTF-8", true, false));

        for (SlackMessage reply : all(e, d)) {
            assertWithinLimits(reply);
        }
        String result = ReplyRenderer.result(e, d, INCIDENT).blocksJson();
        assertThat(result).contains("more lines_", "more steps", "more items", "transient: a retry may pass");
        assertThat(ReplyRenderer.logs(d).blocksJson()).contains("more lines; the incident keeps them all");
    }

    @Test
    void anUnknownDiagnosisSaysSoAndNamesTheMissingEvidence() {
        FailureEvent e = event(EVENT);
        Diagnosis d = diagnose(
                "[2026-11-20, 03:14:03 UTC] {local_task_job_runner.py:228} INFO - Task exited with return code 1\n",
                e,
                List.of("airflow: TIMED_OUT after 10 s"));

        SlackMessage reply = ReplyRenderer.result(e, d, Optional.empty());

        assertThat(d.category()).isEqualTo("unknown");
        String all = String.join("\n", assertWithinLimits(reply));
        assertThat(all)
                .startsWith(":grey_question: *")
                .contains("`unknown` · not enough information for a diagnosis")
                .contains("fix `gather_more_evidence`")
                .contains("Missing evidence: airflow: `TIMED_OUT` after 10 s")
                .doesNotContain(":red_circle:", "|Incident>");
        assertThat(reply.text()).contains("`unknown`");
    }

    @Test
    void secretsNeverReachSlack() {
        String secrets = " password=hunter2 AKIAIOSFODNN7EXAMPLE postgresql://etl:hunter2@db:5432/x";
        FailureEvent e = event("""
                {"dag_id": "daily_orders", "task_id": "load_orders", "run_id": "manual__%s",
                 "log_url": "http://airflow.example/log?token=s3cr3tvalue&password=hunter2"}
                """.formatted(secrets));
        String log = "[2026-11-20, 03:14:03 UTC] {taskinstance.py:1938} ERROR - Task failed with exception\n"
                + "psycopg2.OperationalError: connection failed " + secrets + "\n";
        Diagnosis engine = diagnose(log, e, List.of("warehouse: login failed " + secrets));
        Diagnosis raw = withEverything(engine, secrets);

        List<SlackMessage> replies = new ArrayList<>(all(e, engine));
        replies.addAll(all(e, raw));
        replies.add(ReplyRenderer.failed(e, "login failed " + secrets + "\n" + secrets));
        for (SlackMessage reply : replies) {
            assertWithinLimits(reply);
            for (String s : List.of(reply.text(), reply.blocksJson())) {
                assertThat(s).doesNotContain("hunter2", "AKIAIOSFODNN7EXAMPLE", "s3cr3tvalue");
            }
        }
        assertThat(ReplyRenderer.result(e, raw, INCIDENT).blocksJson()).contains("[REDACTED]");
    }

    @Test
    void recurrenceSaysNewOrHowOftenAndSince() {
        FailureEvent e = event(EVENT);
        Diagnosis d = diagnose(MISSING_COLUMN_LOG, e, List.of());

        String first = ReplyRenderer.result(
                        e, d.withRecurrence(new Diagnosis.Recurrence(1, Optional.empty(), Optional.empty())), INCIDENT)
                .blocksJson();
        String again = ReplyRenderer.result(
                        e,
                        d.withRecurrence(new Diagnosis.Recurrence(
                                4, Optional.of("2026-11-02T03:00:00.123Z"), Optional.of("PR #12 renamed the column"))),
                        INCIDENT)
                .blocksJson();

        assertThat(first).contains("*Seen before*\\nNew: first time for this task");
        assertThat(again).contains("Seen 4 times since 2026-11-02", "Last fix: PR #12 renamed the column");
    }

    @Test
    void aTransientDiagnosisSaysARetryMayPass() {
        FailureEvent e = event(EVENT);
        Diagnosis d = diagnose(MISSING_COLUMN_LOG, e, List.of());
        Diagnosis transientOne = new Diagnosis(
                d.schema(),
                "network_connectivity",
                "Connection refused by db:5432",
                d.summary(),
                d.layer(),
                "transient",
                0.9,
                d.rootCause(),
                d.entities(),
                d.evidence(),
                d.fix(),
                d.signature(),
                d.recurrence(),
                d.missingEvidence(),
                d.explainedBy(),
                d.ruleId(),
                d.log());

        assertThat(ReplyRenderer.result(e, transientOne, INCIDENT).blocksJson())
                .contains("transient: a retry may pass", "`network_connectivity`");
        assertThat(ReplyRenderer.result(e, d, INCIDENT).blocksJson()).doesNotContain("transient");
    }

    @Test
    void investigatingNamesTheTaskRunAndTry() {
        SlackMessage reply = ReplyRenderer.investigating(event(EVENT));

        String all = String.join("\n", assertWithinLimits(reply));
        assertThat(all)
                .contains(":mag: Investigating `daily_orders.load_orders`"
                        + " (run `scheduled__2026-11-20T03:00:00+00:00`, try 1)…");
        assertThat(reply.text()).contains("Investigating `daily_orders.load_orders`");
        assertThat(ReplyRenderer.investigating(event("{\"dag_id\":\"d\",\"task_id\":\"t\"}"))
                        .text())
                .isEqualTo(":mag: Investigating `d.t`…");
    }

    @Test
    void aFailedInvestigationSaysWhatFailedAndThatTheIncidentIsKept() {
        SlackMessage reply = ReplyRenderer.failed(
                event(EVENT), "java.util.concurrent.TimeoutException: deadline of 25 s passed\n\tat Investigator.run");

        String all = String.join("\n", assertWithinLimits(reply));
        assertThat(all)
                .contains(":warning: *Could not finish the investigation* of `daily_orders.load_orders`")
                .contains("*Error*\n```\njava.util.concurrent.TimeoutException: deadline of 25 s passed\n"
                        + "\tat Investigator.run\n```")
                .contains("The incident is kept; see `/api/incidents`.")
                .contains("|Log>");
        assertThat(reply.text())
                .isEqualTo("Could not finish the investigation of `daily_orders.load_orders`: "
                        + "java.util.concurrent.TimeoutException: deadline of 25 s passed");
        assertThat(String.join("\n", assertWithinLimits(ReplyRenderer.failed(event(EVENT), "  "))))
                .contains("(no error message)");
    }

    @Test
    void whyLogsAndHelpAnswerInTheThread() {
        FailureEvent e = event(EVENT);
        Diagnosis d = diagnose(MISSING_COLUMN_LOG, e, List.of());

        String why = String.join("\n", assertWithinLimits(ReplyRenderer.why(d)));
        String logs = String.join("\n", assertWithinLimits(ReplyRenderer.logs(d)));
        String help = String.join("\n", assertWithinLimits(ReplyRenderer.help()));

        assertThat(why)
                .contains("*Why*  ·  confidence 0.98", "The SQL refers to a column", "Root cause:", "line 8 │")
                .contains("`missing_column`");
        assertThat(logs)
                .contains("*Evidence*  ·  " + d.evidence().size() + " line")
                .contains("log 8 │ psycopg2.errors.UndefinedColumn");
        assertThat(help).contains("`why`", "`logs`", "`help`", ":+1:", ":white_check_mark:", ":-1:", ":x:");
        assertThat(ReplyRenderer.why(d).text()).startsWith("Why: The SQL refers to a column");
    }

    /** The text with its code blocks and code spans removed: what Slack would format. */
    private static String outsideCode(String text) {
        return text.replaceAll("(?s)```.*?```", "").replaceAll("`[^`]*`", "");
    }

    private static void assertOnlyOurLinks(String s) {
        Matcher m = ANGLE.matcher(s);
        while (m.find()) {
            assertThat(m.group()).matches("<(http://airflow\\.example/|https://de-agent\\.example/)[^<>|\\s]*\\|\\w+>");
        }
    }

    private static List<SlackMessage> all(FailureEvent e, Diagnosis d) {
        return List.of(
                ReplyRenderer.investigating(e),
                ReplyRenderer.result(e, d, INCIDENT),
                ReplyRenderer.failed(e, d.summary()),
                ReplyRenderer.why(d),
                ReplyRenderer.logs(d),
                ReplyRenderer.help());
    }

    /** The diagnosis with {@code secret} in every free-text field: what an unredacted source could hand over. */
    private static Diagnosis withEverything(Diagnosis d, String secret) {
        return new Diagnosis(
                d.schema(),
                d.category(),
                "title " + secret,
                "summary " + secret,
                d.layer(),
                d.transience(),
                d.confidence(),
                Optional.of(new Diagnosis.RootCause("java.sql.SQLException", secret, 2)),
                Map.of("host", secret),
                List.of(new Diagnosis.EvidenceLine("log", 2, secret)),
                new Diagnosis.Fix("fix_connection_config", secret, List.of(secret, secret), Optional.empty()),
                d.signature(),
                Optional.of(new Diagnosis.Recurrence(2, Optional.of(secret), Optional.of(secret))),
                List.of(secret),
                d.explainedBy(),
                d.ruleId(),
                d.log());
    }

    private static FailureEvent event(String json) {
        return FailureEvents.parse(json, FailureEvent.Origin.SLACK);
    }

    private static Diagnosis diagnose(String log, FailureEvent e, List<String> missingEvidence) {
        return LogDiagnoser.builtIn().diagnose(new LogReader().read(log), Optional.of(e), missingEvidence);
    }
}
