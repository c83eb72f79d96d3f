package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.runtime.Config;
import io.deagent.runtime.WebhookSignature;
import io.deagent.testkit.FakeSlackApi;
import io.deagent.testkit.SlackRequests;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slack door end to end: signed Events API requests in, a local fake Slack Web API (a real HTTP server
 * answering auth.test, chat.postMessage and chat.update, recording every call) out.
 */
class SlackServiceTest {

    static final String SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String CHANNEL = "C0ALERTS";
    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration WAIT = Duration.ofSeconds(20);
    static final AtomicInteger EVENT_IDS = new AtomicInteger();

    @TempDir
    Path dir;

    FakeSlackApi slack;
    Service service;
    final HttpClient http = HttpClient.newHttpClient();
    URI events;

    @BeforeEach
    void start() {
        slack = FakeSlackApi.start();
        service = Service.start(
                Config.of(Map.of(
                        "DE_AGENT_DB_URL",
                        "jdbc:h2:file:" + dir.resolve("store"),
                        "DE_AGENT_WEBHOOK_SECRET",
                        "webhook-secret",
                        "DE_AGENT_BIND",
                        "127.0.0.1",
                        "DE_AGENT_POLL_MILLIS",
                        "50",
                        "SLACK_BOT_TOKEN",
                        FakeSlackApi.DEFAULT_TOKEN,
                        "SLACK_SIGNING_SECRET",
                        SIGNING_SECRET,
                        "SLACK_API_URL",
                        slack.baseUrl(),
                        "SLACK_CHANNELS",
                        CHANNEL + ",data-alerts")),
                0,
                Clock.systemUTC());
        events = URI.create("http://127.0.0.1:" + service.port() + "/slack/events");
    }

    @AfterEach
    void stop() {
        service.close();
        slack.close();
    }

    /** An alert as the Astronomer-docs SlackWebhookOperator callback posts it (a bot_message). */
    static ObjectNode alert(String ts, String run) {
        String text = ":red_circle: Task Failed. \n*Task*: load_orders  \n*Dag*: daily_orders \n"
                + "*Execution Time*: " + run + "  \n"
                + "*Log Url*: <http://airflow.example/log?dag_id=daily_orders&amp;task_id=load_orders&amp;execution_date="
                + run.replace(":", "%3A").replace("+", "%2B") + "|http://airflow.example/log> \n"
                + "*Exception*: psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist";
        ObjectNode event = JSON.createObjectNode()
                .put("type", "message")
                .put("subtype", "bot_message")
                .put("text", text)
                .put("username", "Airflow")
                .put("bot_id", "B0AIRFLOW")
                .put("channel", CHANNEL)
                .put("channel_type", "channel")
                .put("ts", ts)
                .put("event_ts", ts);
        return envelope(event);
    }

    static ObjectNode envelope(ObjectNode event) {
        return SlackRequests.eventCallback(event, "Ev" + EVENT_IDS.incrementAndGet());
    }

    HttpResponse<String> send(String body, long timestamp, String secret, int retry) throws Exception {
        return http.send(
                SlackRequests.eventPost(events, secret, timestamp, body, retry), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(JsonNode body) throws Exception {
        return send(body.toString(), Instant.now().getEpochSecond(), SIGNING_SECRET, 0);
    }

    long postsIn(String threadTs) {
        return slack.calls("chat.postMessage").stream()
                .filter(c -> c.param("thread_ts").orElse("").equals(threadTs))
                .count();
    }

    @Test
    void url_verification_is_answered_with_the_challenge() throws Exception {
        String body = "{\"token\":\"t\",\"challenge\":\"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P\","
                + "\"type\":\"url_verification\"}";
        HttpResponse<String> r = send(body, Instant.now().getEpochSecond(), SIGNING_SECRET, 0);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    }

    @Test
    void a_real_alert_gets_one_reply_in_its_thread_investigating_then_the_diagnosis() throws Exception {
        ObjectNode alert = alert("1763607600.000100", "2026-11-20T03:00:00+00:00");
        long started = System.nanoTime();
        HttpResponse<String> ack = send(alert);
        long ackMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(ack.statusCode()).isEqualTo(200);
        assertThat(ackMs).as("acknowledged well within Slack's 3 s").isLessThan(2_500);

        var first = slack.awaitCall(
                "chat.postMessage", c -> c.param("thread_ts").orElse("").equals("1763607600.000100"), WAIT);
        assertThat(first.param("channel")).contains(CHANNEL);
        var update =
                slack.awaitCall("chat.update", c -> c.param("blocks").orElse("").contains("missing_column"), WAIT);
        assertThat(update.param("text").orElseThrow()).contains("customer_idd");
        JsonNode blocks = JSON.readTree(update.param("blocks").orElseThrow());
        assertThat(blocks.isArray()).isTrue();
        System.out.println("rendered reply blocks: " + blocks.toPrettyString());

        // our own reply comes back as a message event, and must not be read as an alert
        ObjectNode own = JSON.createObjectNode()
                .put("type", "message")
                .put("subtype", "bot_message")
                .put("bot_id", "B0SOMEBOT")
                .put("app_id", "A0DEAGENT")
                // even one that reads like an alert (a quote of it, say)
                .put("text", alert.get("event").get("text").asText())
                .put("channel", CHANNEL)
                .put("ts", "1763607600.000200")
                .put("thread_ts", "1763607600.000100");
        assertThat(send(envelope(own)).statusCode()).isEqualTo(200);

        // Slack retries the same event, and delivers the same alert again under a new event id
        assertThat(send(alert.toString(), Instant.now().getEpochSecond(), SIGNING_SECRET, 1)
                        .statusCode())
                .isEqualTo(200);
        ObjectNode again = alert.deepCopy();
        again.put("event_id", "Ev-other-delivery");
        assertThat(send(again).statusCode()).isEqualTo(200);
        Thread.sleep(500);
        assertThat(slack.calls("chat.postMessage")).hasSize(1);
        assertThat(slack.calls("chat.update")).hasSize(1);
    }

    @Test
    void forged_and_stale_requests_get_401_and_chatter_gets_nothing() throws Exception {
        String alert = alert("1763607601.000100", "2026-11-20T04:00:00+00:00").toString();
        long now = Instant.now().getEpochSecond();
        HttpResponse<String> forged = send(alert, now, "not-the-signing-secret", 0);
        HttpResponse<String> stale = send(alert, now - 600, SIGNING_SECRET, 0);
        HttpResponse<String> justStale = send(alert, now - 310, SIGNING_SECRET, 0);
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(stale.statusCode()).isEqualTo(401);
        assertThat(justStale.statusCode()).as("the window is five minutes").isEqualTo(401);
        assertThat(forged.body()).isEqualTo("{\"error\":\"unauthorized\"}");

        ObjectNode human = JSON.createObjectNode()
                .put("type", "message")
                .put("text", "daily_orders failed again?? anyone looking at load_orders")
                .put("user", "U0HUMAN")
                .put("channel", CHANNEL)
                .put("ts", "1763607602.000100");
        assertThat(send(envelope(human)).statusCode()).isEqualTo(200);
        ObjectNode elsewhere = alert("1763607603.000100", "2026-11-20T05:00:00+00:00");
        ((ObjectNode) elsewhere.get("event")).put("channel", "C0RANDOM");
        assertThat(send(elsewhere).statusCode()).isEqualTo(200);
        Thread.sleep(700);
        assertThat(slack.calls("chat.postMessage")).isEmpty();
        assertThat(JSON.readTree(http.send(
                                        HttpRequest.newBuilder(URI.create(
                                                        "http://127.0.0.1:" + service.port() + "/api/incidents"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body())
                        .get("incidents"))
                .isEmpty();
    }

    @Test
    void rate_limits_are_waited_out_and_a_channel_slack_cannot_find_is_not_retried() throws Exception {
        slack.failNext("chat.postMessage", 1, FakeSlackApi.Failure.rateLimited(1));
        send(alert("1763607604.000100", "2026-11-20T06:00:00+00:00"));
        var limited = slack.awaitCall(
                "chat.postMessage", c -> c.param("thread_ts").orElse("").equals("1763607604.000100"), WAIT);
        var posted = slack.awaitCall(
                "chat.postMessage",
                c -> c.param("thread_ts").orElse("").equals("1763607604.000100") && c.at().isAfter(limited.at()),
                WAIT);
        // the second try waited for Retry-After: 1
        assertThat(Duration.between(limited.at(), posted.at())).isGreaterThanOrEqualTo(Duration.ofMillis(900));

        slack.failNext("chat.postMessage", 5, FakeSlackApi.Failure.slackError("channel_not_found"));
        send(alert("1763607605.000100", "2026-11-20T07:00:00+00:00"));
        Thread.sleep(1_500);
        assertThat(slack.calls("chat.postMessage").stream()
                        .filter(c -> c.param("thread_ts").orElse("").equals("1763607605.000100"))
                        .count())
                .isEqualTo(1);
    }

    @Test
    void follow_ups_and_reactions_in_the_thread() throws Exception {
        send(alert("1763607606.000100", "2026-11-20T08:00:00+00:00"));
        var reply = slack.awaitCall(
                "chat.postMessage", c -> c.param("thread_ts").orElse("").equals("1763607606.000100"), WAIT);
        slack.awaitCall("chat.update", c -> c.param("blocks").orElse("").contains("missing_column"), WAIT);
        String replyTs = slack.calls("chat.update").get(0).param("ts").orElseThrow();

        ObjectNode mention = JSON.createObjectNode()
                .put("type", "app_mention")
                .put("user", "U0HUMAN")
                .put("text", "<@" + FakeSlackApi.BOT_USER_ID + "> why")
                .put("channel", CHANNEL)
                .put("ts", "1763607607.000100")
                .put("thread_ts", "1763607606.000100");
        send(envelope(mention));
        var answer = slack.awaitCall(
                "chat.postMessage",
                c -> c.param("thread_ts").orElse("").equals("1763607606.000100") && c != reply,
                WAIT);
        assertThat(answer.param("text").orElse("") + answer.param("blocks").orElse(""))
                .contains("customer_idd");

        ObjectNode reaction = JSON.createObjectNode()
                .put("type", "reaction_added")
                .put("user", "U0HUMAN")
                .put("reaction", "+1")
                .put("event_ts", "1763607608.000100");
        reaction.putObject("item")
                .put("type", "message")
                .put("channel", CHANNEL)
                .put("ts", replyTs);
        send(envelope(reaction));
        send(envelope(reaction.deepCopy())); // the same person again: counted once
        JsonNode feedback = JSON.readTree(http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/api/feedback"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body());
        assertThat(feedback.at("/by_category/missing_column/correct").asInt()).isEqualTo(1);
        assertThat(feedback.at("/by_category/missing_column/wrong").asInt()).isZero();
    }

    @Test
    void the_webhook_and_the_alert_for_one_failure_are_one_incident_answered_in_the_thread() throws Exception {
        String body = JSON.writeValueAsString(Map.of(
                "dag_id", "daily_orders",
                "task_id", "load_orders",
                "run_id", "scheduled__2026-11-20T09:00:00+00:00",
                "try_number", 1,
                "exception", "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist"));
        String ts = String.valueOf(Instant.now().getEpochSecond());
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + "/webhooks/airflow"))
                        .header(WebhookSignature.TIMESTAMP_HEADER, ts)
                        .header(
                                WebhookSignature.SIGNATURE_HEADER,
                                new WebhookSignature("webhook-secret").sign(ts, bytes))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        ObjectNode alert = alert("1763607609.000100", "2026-11-20T09:00:00+00:00");
        String text = ((ObjectNode) alert.get("event"))
                .get("text")
                .asText()
                .replace(
                        "<http://airflow.example/log?",
                        "<http://airflow.example/dags/daily_orders/grid?dag_run_id=scheduled__2026-11-20T09%3A00%3A00%2B00%3A00&amp;task_id=load_orders&amp;try_number=1&amp;");
        ((ObjectNode) alert.get("event")).put("text", text);
        send(alert);
        slack.awaitCall("chat.postMessage", c -> c.param("thread_ts").orElse("").equals("1763607609.000100"), WAIT);
        JsonNode list = JSON.readTree(http.send(
                                HttpRequest.newBuilder(
                                                URI.create("http://127.0.0.1:" + service.port() + "/api/incidents"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body())
                .get("incidents");
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("deliveries").asInt()).isEqualTo(2);
    }

    @Test
    void while_slack_is_down_the_answer_waits_in_the_outbox_and_goes_out_when_it_is_back() throws Exception {
        slack.setDown(true);
        assertThat(send(alert("1763607610.000100", "2026-11-20T10:00:00+00:00")).statusCode())
                .isEqualTo(200);
        Thread.sleep(1_500);
        slack.setDown(false);
        // the calls made while Slack was down are recorded too; the one that got through has the diagnosis
        slack.awaitCall(
                "chat.postMessage",
                c -> c.param("thread_ts").orElse("").equals("1763607610.000100")
                        && c.param("blocks").orElse("").contains("missing_column"),
                WAIT);
        assertThat(slack.calls("chat.update")).isEmpty();
    }

    @Test
    void a_mention_with_a_pasted_log_is_diagnosed_in_its_thread() throws Exception {
        ObjectNode mention = JSON.createObjectNode()
                .put("type", "app_mention")
                .put("user", "U0HUMAN")
                .put(
                        "text",
                        "<@" + FakeSlackApi.BOT_USER_ID + "> what is this?\n```"
                                + "24/11/20 03:10:02 ERROR Executor: Exception in task 117.3 in stage 12.0 (TID 4511)\n"
                                + "java.lang.OutOfMemoryError: Java heap space\n"
                                + "\tat java.util.Arrays.copyOf(Arrays.java:3236)\n```")
                .put("channel", CHANNEL)
                .put("ts", "1763607611.000100");
        send(envelope(mention));
        slack.awaitCall("chat.postMessage", c -> c.param("thread_ts").orElse("").equals("1763607611.000100"), WAIT);
        var answer = slack.awaitCall(
                "chat.update", c -> c.param("blocks").orElse("").contains("out_of_memory_executor"), WAIT);
        assertThat(answer.param("channel")).contains(CHANNEL);
    }

    @Test
    void with_an_llm_a_free_question_in_the_thread_is_answered_from_the_incident() throws Exception {
        service.close();
        try (var llm = io.deagent.testkit.FakeLlmApi.start()) {
            service = Service.start(
                    Config.of(Map.of(
                            "DE_AGENT_DB_URL",
                            "jdbc:h2:file:" + dir.resolve("store-llm"),
                            "DE_AGENT_BIND",
                            "127.0.0.1",
                            "DE_AGENT_POLL_MILLIS",
                            "50",
                            "SLACK_BOT_TOKEN",
                            FakeSlackApi.DEFAULT_TOKEN,
                            "SLACK_SIGNING_SECRET",
                            SIGNING_SECRET,
                            "SLACK_API_URL",
                            slack.baseUrl(),
                            "DE_AGENT_LLM",
                            "openai",
                            "OPENAI_API_KEY",
                            "test-key",
                            "DE_AGENT_LLM_BASE_URL",
                            llm.baseUrl(io.deagent.testkit.FakeLlmApi.Provider.OPENAI))),
                    0,
                    Clock.systemUTC());
            events = URI.create("http://127.0.0.1:" + service.port() + "/slack/events");
            // the explanation itself is refused (not JSON), so the rules' diagnosis stands
            llm.answerNext("not json");
            llm.answerNext("still not json");
            send(alert("1763607612.000100", "2026-11-20T12:00:00+00:00"));
            slack.awaitCall("chat.update", c -> c.param("blocks").orElse("").contains("missing_column"), WAIT);

            llm.answerNext("Probably yes: the column customer_idd is a typo <!channel> of customer_id.");
            ObjectNode mention = JSON.createObjectNode()
                    .put("type", "app_mention")
                    .put("user", "U0HUMAN")
                    .put("text", "<@" + FakeSlackApi.BOT_USER_ID + "> is this from yesterday's schema change?")
                    .put("channel", CHANNEL)
                    .put("ts", "1763607613.000100")
                    .put("thread_ts", "1763607612.000100");
            send(envelope(mention));
            var answer = slack.awaitCall(
                    "chat.postMessage", c -> c.param("text").orElse("").contains("Probably yes"), WAIT);
            assertThat(answer.param("thread_ts")).contains("1763607612.000100");
            assertThat(answer.param("text").orElseThrow()).doesNotContain("<!channel>");
            String asked = io.deagent.testkit.FakeLlmApi.promptText(
                    llm.calls(io.deagent.testkit.FakeLlmApi.Provider.OPENAI).getLast());
            assertThat(asked).contains("schema change", "UNTRUSTED_", "missing_column");
        }
    }
}
