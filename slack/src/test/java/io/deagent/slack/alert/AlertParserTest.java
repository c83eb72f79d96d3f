package io.deagent.slack.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.core.FailureEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Slack events under {@code resources/alerts/NNN.json} (full {@code event_callback} envelopes) against
 * {@code expected.jsonl}: one line per fixture saying whether it is an alert and what it yields. Fields an
 * expectation leaves out must be absent from the event.
 */
class AlertParserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OWN_BOT = "B0AGENT01";
    private static final String OWN_USER = "U0AGENT01";

    private final AlertParser parser = new AlertParser(OWN_BOT, OWN_USER);

    static Stream<Arguments> expectations() {
        return expectationLines().stream()
                .map(e -> Arguments.of(e.path("fixture").asText(), e));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("expectations")
    void fixtureYieldsWhatIsExpected(String fixture, JsonNode expected) {
        Optional<FailureEvent> parsed = parser.parse(fixture(fixture).path("event"));

        if (!expected.path("alert").asBoolean()) {
            assertThat(parsed)
                    .as("%s: %s", fixture, expected.path("why").asText())
                    .isEmpty();
            return;
        }
        assertThat(parsed).as(fixture).isPresent();
        FailureEvent e = parsed.get();
        assertThat(e.origin()).isEqualTo(FailureEvent.Origin.SLACK);
        assertThat(e.dagId()).as("dag_id").isEqualTo(expected.path("dag_id").asText());
        assertThat(e.taskId()).as("task_id").isEqualTo(expected.path("task_id").asText());
        assertThat(e.runId()).as("run_id").isEqualTo(text(expected, "run_id"));
        assertThat(e.tryNumber()).as("try_number").isEqualTo(number(expected, "try_number"));
        assertThat(e.logUrl()).as("log_url").isEqualTo(text(expected, "log_url"));
        assertThat(e.airflowBaseUrl()).as("airflow_base_url").isEqualTo(text(expected, "airflow_base_url"));
        assertThat(e.exception()).as("exception").isEqualTo(text(expected, "exception"));
        assertThat(e.hostname()).as("hostname").isEqualTo(text(expected, "hostname"));
        assertThat(e.owner()).as("owner").isEqualTo(text(expected, "owner"));
        assertThat(e.log()).isEmpty();
        assertThat(e.tags()).isEmpty();

        Map<String, Object> raw = e.raw();
        assertThat(raw).containsEntry("dag_id", e.dagId()).containsEntry("task_id", e.taskId());
        assertThat(Optional.ofNullable(raw.get("logical_date")))
                .as("logical_date")
                .isEqualTo(text(expected, "logical_date"));
        assertThat(Optional.ofNullable(raw.get("map_index"))).as("map_index").isEqualTo(number(expected, "map_index"));
        assertThat(raw.get("alert_text")).asString().isNotBlank();
        @SuppressWarnings("unchecked")
        Map<String, Object> slack = (Map<String, Object>) raw.get("slack");
        assertThat(slack)
                .containsEntry("channel", expected.path("channel").asText())
                .containsEntry("ts", expected.path("ts").asText());
        assertThat(Optional.ofNullable(slack.get("thread_ts"))).isEqualTo(text(expected, "thread_ts"));
    }

    @Test
    void everyFixtureHasExactlyOneExpectation() throws IOException {
        Set<String> files;
        try (Stream<Path> list = Files.list(resourceDir())) {
            files = list.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".json"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        List<String> named =
                expectationLines().stream().map(e -> e.path("fixture").asText()).toList();

        assertThat(named).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(named)).isEqualTo(files);
        assertThat(files).hasSizeGreaterThanOrEqualTo(25);
        assertThat(expectationLines().stream().filter(e -> !e.path("alert").asBoolean()))
                .hasSizeGreaterThanOrEqualTo(8);
    }

    @Test
    void rawCarriesTheSlackCoordinatesAndTheUnescapedText() {
        FailureEvent e = parser.parse(fixture("001.json").path("event")).orElseThrow();

        assertThat(e.raw().keySet())
                .containsSubsequence(
                        "dag_id",
                        "task_id",
                        "run_id",
                        "logical_date",
                        "log_url",
                        "airflow_base_url",
                        "slack",
                        "alert_text");
        assertThat(e.raw().get("slack"))
                .isEqualTo(Map.of("channel", "C0ALERTS1", "ts", "1795601237.000101", "bot_id", "B0AIRHOOK1"));
        assertThat((String) e.raw().get("alert_text"))
                .startsWith(":red_circle: Task Failed.")
                .contains("&task_id=load_orders")
                .doesNotContain("&amp;");
    }

    @Test
    void theEMailTemplateGivesTheMaxTriesToo() {
        FailureEvent e = parser.parse(fixture("008.json").path("event")).orElseThrow();

        assertThat(e.raw()).containsEntry("try_number", 2).containsEntry("max_tries", 3);
    }

    @Test
    void aMessageFromOurUserIsDroppedEvenWhenTheBotIdIsNotKnown() {
        JsonNode own = fixture("027.json").path("event");

        assertThat(new AlertParser(null, OWN_USER).parse(own)).isEmpty();
        assertThat(new AlertParser(OWN_BOT, " ").parse(own)).isEmpty();
        assertThat(new AlertParser(null, null).parse(own))
                .as("without our ids it is just another bot naming a failed DAG")
                .isPresent();
    }

    @Test
    void anAppPostWithOnlyABotProfileIsABotMessage() {
        ObjectNode event = (ObjectNode) fixture("009.json").path("event").deepCopy();
        event.remove("subtype");
        event.remove("bot_id");
        event.putObject("bot_profile").put("name", "Airflow");

        assertThat(parser.parse(event)).map(FailureEvent::dagId).contains("orders_daily");
    }

    @Test
    void otherSubtypesAndTypesAreNotAlerts() {
        ObjectNode broadcast = (ObjectNode) fixture("009.json").path("event").deepCopy();
        broadcast.put("subtype", "thread_broadcast");
        ObjectNode mention = (ObjectNode) fixture("009.json").path("event").deepCopy();
        mention.put("type", "app_mention");

        assertThat(parser.parse(broadcast)).isEmpty();
        assertThat(parser.parse(mention)).isEmpty();
        assertThat(parser.parse(null)).isEmpty();
        assertThat(parser.parse(JSON.createArrayNode())).isEmpty();
    }

    @Test
    void theAlertTextIsCapped() {
        ObjectNode event = (ObjectNode) fixture("009.json").path("event").deepCopy();
        event.put("text", "The dag orders_daily failed\n" + "x".repeat(20_000));

        Object text = parser.parse(event).orElseThrow().raw().get("alert_text");

        assertThat((String) text).hasSize(AlertParser.MAX_ALERT_TEXT);
    }

    @Test
    void aRunIdLongerThanAirflowAllowsMakesTheAlertUnreadable() {
        ObjectNode event = (ObjectNode) fixture("009.json").path("event").deepCopy();
        event.put("text", "The dag orders_daily failed\n*Run id*: manual__" + "9".repeat(260));

        assertThat(parser.parse(event)).isEmpty();
    }

    @Test
    void theTaskInstanceReprNamesDagTaskRunAndMapIndex() {
        ObjectNode event = (ObjectNode) fixture("009.json").path("event").deepCopy();
        event.put(
                "text",
                "Airflow alert: &lt;TaskInstance: geo_enrichment.batches.geocode manual__2026-11-20T10:00:00+00:00"
                        + " map_index=3 [failed]&gt;\nTry 1 out of 1\nException:\nValueError: bad coordinates");

        FailureEvent e = parser.parse(event).orElseThrow();

        assertThat(e.dagId()).isEqualTo("geo_enrichment");
        assertThat(e.taskId()).isEqualTo("batches.geocode");
        assertThat(e.runId()).contains("manual__2026-11-20T10:00:00+00:00");
        assertThat(e.tryNumber()).contains(1);
        assertThat(e.exception()).contains("ValueError: bad coordinates");
        assertThat(e.raw()).containsEntry("map_index", 3).containsEntry("max_tries", 0);
    }

    @Test
    void anUpForRetryEmailIsNotAFailure() {
        ObjectNode event = (ObjectNode) fixture("009.json").path("event").deepCopy();
        event.put(
                "text",
                "Airflow alert: &lt;TaskInstance: orders_daily.load_orders scheduled__2026-11-20T03:00:00+00:00"
                        + " [up_for_retry]&gt;\nTry 1 out of 4\nException:\nAirflowException: Bash command failed");

        assertThat(parser.parse(event)).isEmpty();
    }

    // ---- mentions ----

    @Test
    void aCodeBlockIsAPastedLog() {
        String text = "<@U0AGENT01> this broke last night ```[2026-11-20, 03:14:05 UTC] {taskinstance.py:1851} ERROR"
                + " - Task failed with exception\nTraceback (most recent call last):\n  File \"/opt/x.py\", line 3,"
                + " in run\npsycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist\n"
                + "[2026-11-20, 03:14:07 UTC] {taskinstance.py:1206} INFO - Marking task as FAILED."
                + " dag_id=orders_daily, task_id=load_orders, run_id=scheduled__2026-11-20T03:00:00+00:00```";

        Mention m = parser.parseMention(mention(text), OWN_USER).orElseThrow();

        assertThat(m.kind()).isEqualTo(Mention.Kind.PASTED_LOG);
        assertThat(m.text()).startsWith("[2026-11-20, 03:14:05 UTC]").endsWith("03:00:00+00:00");
        FailureEvent e = m.event().orElseThrow();
        assertThat(e.origin()).isEqualTo(FailureEvent.Origin.SLACK);
        assertThat(e.dagId()).isEqualTo("orders_daily");
        assertThat(e.taskId()).isEqualTo("load_orders");
        assertThat(e.runId()).contains("scheduled__2026-11-20T03:00:00+00:00");
        assertThat(e.log()).contains(m.text());
        assertThat(e.exception()).contains("psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist");
        assertThat(e.raw().get("slack"))
                .isEqualTo(Map.of("channel", "C0ALERTS1", "ts", "1795609999.000200", "user", "U0PERSON1"));
    }

    @Test
    void linesThatReadLikeALogArePastedEvenWithoutACodeBlock() {
        String text =
                "<@U0AGENT01>\n[2023-01-15 08:15:23,757] {{taskinstance.py:1242}} INFO - Starting attempt 2 of 2\n"
                        + "[2023-01-15 08:15:23,785] {{taskinstance.py:1262}} INFO - Executing &lt;Task(BashOperator): hive_ingest&gt;\n"
                        + "[2023-01-15 08:15:23,793] {{standard_task_runner.py:76}} INFO - Running: ['airflow', 'tasks', 'run',"
                        + " 'datahub_hive_ingest', 'hive_ingest', 'scheduled__2023-01-14T06:00:00+00:00']";

        Mention m = parser.parseMention(mention(text), OWN_USER).orElseThrow();

        assertThat(m.kind()).isEqualTo(Mention.Kind.PASTED_LOG);
        assertThat(m.text()).contains("<Task(BashOperator): hive_ingest>").doesNotContain("<@");
        FailureEvent e = m.event().orElseThrow();
        assertThat(e.dagId()).isEqualTo("datahub_hive_ingest");
        assertThat(e.taskId()).isEqualTo("hive_ingest");
        assertThat(e.runId()).contains("scheduled__2023-01-14T06:00:00+00:00");
        assertThat(e.tryNumber()).contains(2);
    }

    @Test
    void aPastedLogThatNamesNoTaskGetsPlaceholderIds() {
        Mention m = parser.parseMention(
                        mention("<@U0AGENT01> ```java.lang.OutOfMemoryError: Java heap space```"), OWN_USER)
                .orElseThrow();

        FailureEvent e = m.event().orElseThrow();
        assertThat(m.kind()).isEqualTo(Mention.Kind.PASTED_LOG);
        assertThat(e.dagId()).isEqualTo("slack");
        assertThat(e.taskId()).isEqualTo("pasted_log");
        assertThat(e.log()).contains("java.lang.OutOfMemoryError: Java heap space");
        assertThat(e.exception()).contains("java.lang.OutOfMemoryError: Java heap space");
    }

    @Test
    void aLinkToAnAirflowLogIsALogLink() {
        String url =
                "https://airflow.example.com/dags/orders_daily/grid?dag_run_id=scheduled__2026-11-20T03%3A00%3A00%2B00%3A00"
                        + "&amp;task_id=load_orders&amp;tab=logs";

        Mention m = parser.parseMention(mention("<@U0AGENT01|de-agent> why did <" + url + "|this> fail?"), OWN_USER)
                .orElseThrow();

        assertThat(m.kind()).isEqualTo(Mention.Kind.LOG_LINK);
        assertThat(m.text())
                .startsWith("why did this (https://airflow.example.com/dags/orders_daily/grid?")
                .endsWith("fail?");
        FailureEvent e = m.event().orElseThrow();
        assertThat(e.dagId()).isEqualTo("orders_daily");
        assertThat(e.taskId()).isEqualTo("load_orders");
        assertThat(e.runId()).contains("scheduled__2026-11-20T03:00:00+00:00");
        assertThat(e.logUrl()).contains(url.replace("&amp;", "&"));
        assertThat(e.airflowBaseUrl()).contains("https://airflow.example.com");
        assertThat(e.log()).isEmpty();
    }

    @Test
    void anythingElseIsAQuestion() {
        assertThat(parser.parseMention(mention("<@U0AGENT01> why"), OWN_USER))
                .contains(new Mention(Mention.Kind.QUESTION, "why", Optional.empty()));
        assertThat(parser.parseMention(mention("  <@U0AGENT01>   help  "), OWN_USER))
                .contains(new Mention(Mention.Kind.QUESTION, "help", Optional.empty()));
        assertThat(parser.parseMention(
                        mention(
                                "<@U0AGENT01> is <https://github.com/acme/dags|the repo> ok &amp; <#C0ALERTS1|alerts> fine?"),
                        OWN_USER))
                .map(Mention::text)
                .contains("is the repo (https://github.com/acme/dags) ok & #alerts fine?");
    }

    @Test
    void withoutTheBotIdTheLeadingMentionIsDropped() {
        assertThat(new AlertParser(null, null).parseMention(mention("<@U0AGENT01> logs"), null))
                .map(Mention::text)
                .contains("logs");
    }

    @Test
    void ourOwnMentionsAreIgnored() {
        ObjectNode event = mention("<@U0AGENT01> logs");
        event.put("user", OWN_USER);

        assertThat(parser.parseMention(event, OWN_USER)).isEmpty();
        assertThat(new AlertParser(null, null).parseMention(event, OWN_USER)).isEmpty();
        assertThat(parser.parseMention(null, OWN_USER)).isEmpty();
    }

    private static ObjectNode mention(String text) {
        ObjectNode e = JSON.createObjectNode();
        e.put("type", "app_mention");
        e.put("user", "U0PERSON1");
        e.put("text", text);
        e.put("ts", "1795609999.000200");
        e.put("channel", "C0ALERTS1");
        e.put("event_ts", "1795609999.000200");
        return e;
    }

    private static Optional<Object> text(JsonNode expected, String field) {
        JsonNode v = expected.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asText());
    }

    private static Optional<Object> number(JsonNode expected, String field) {
        JsonNode v = expected.get(field);
        return v == null || v.isNull() ? Optional.empty() : Optional.of(v.asInt());
    }

    private static List<JsonNode> expectationLines() {
        try (InputStream in = AlertParserTest.class.getResourceAsStream("/alerts/expected.jsonl")) {
            String all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return all.lines()
                    .filter(l -> !l.isBlank())
                    .map(AlertParserTest::readTree)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode fixture(String name) {
        try (InputStream in = AlertParserTest.class.getResourceAsStream("/alerts/" + name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode readTree(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path resourceDir() {
        try {
            return Path.of(AlertParserTest.class.getResource("/alerts").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
