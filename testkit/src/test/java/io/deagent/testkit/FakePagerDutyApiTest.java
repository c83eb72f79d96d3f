package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.testkit.FakePagerDutyApi.Incident;
import io.deagent.testkit.FakePagerDutyApi.Outcome;
import io.deagent.testkit.FakePagerDutyApi.State;
import io.deagent.testkit.FakePagerDutyApi.Trouble;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The fake driven with the JDK client, replaying the Events API v2 samples of PagerDuty's documentation. */
class FakePagerDutyApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** An integration key has 32 characters; the documentation's placeholders do not. */
    private static final String ROUTING_KEY = "R0UT1NGKEY0000000000000000000001";

    private static final String OTHER_KEY = "R0UT1NGKEY0000000000000000000002";

    private final FakePagerDutyApi pagerDuty = FakePagerDutyApi.start();
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void stop() {
        pagerDuty.close();
    }

    @Test
    void theDocumentationSampleVerbatimIsRejectedForItsPlaceholderRoutingKey() throws Exception {
        HttpResponse<String> r = send(sample("events_v2_trigger.json"));

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()))
                .isEqualTo(JSON.readTree("{\"status\":\"invalid event\",\"message\":\"Event object is invalid\","
                        + "\"errors\":[\"Length of 'routing_key' is incorrect (should be 32 characters)\"]}"));
        assertThat(pagerDuty.incidents()).isEmpty();
        assertThat(pagerDuty.events()).isEmpty();
        assertThat(pagerDuty.calls()).hasSize(1);
    }

    @Test
    void theSamplesWithARealKeyTriggerAcknowledgeAndResolveOneAlert() throws Exception {
        ObjectNode trigger = withKey(sample("events_v2_trigger.json"), ROUTING_KEY);
        String dedupKey = trigger.get("dedup_key").asText();
        ObjectNode ack =
                withKey(sample("events_v2_acknowledge.json"), ROUTING_KEY).put("dedup_key", dedupKey);
        ObjectNode resolve =
                withKey(sample("events_v2_resolve.json"), ROUTING_KEY).put("dedup_key", dedupKey);

        HttpResponse<String> triggered = send(trigger);
        Incident open = pagerDuty.incident(dedupKey).orElseThrow();
        HttpResponse<String> acked = send(ack);
        State afterAck = pagerDuty.incident(dedupKey).orElseThrow().state();
        HttpResponse<String> resolved = send(resolve);

        assertThat(triggered.statusCode()).isEqualTo(202);
        assertThat(JSON.readTree(triggered.body()))
                .isEqualTo(JSON.readTree(
                        "{\"status\":\"success\",\"message\":\"Event processed\",\"dedup_key\":\"samplekeyhere\"}"));
        assertThat(open.state()).isEqualTo(State.TRIGGERED);
        assertThat(open.summary()).isEqualTo("Example alert on host1.example.com");
        assertThat(open.severity()).isEqualTo("info");
        assertThat(open.source()).startsWith("monitoringtool:cloudvendor");
        assertThat(open.payload().at("/custom_details/load avg").asDouble()).isEqualTo(0.75);
        assertThat(acked.statusCode()).isEqualTo(202);
        assertThat(afterAck).isEqualTo(State.ACKNOWLEDGED);
        assertThat(resolved.statusCode()).isEqualTo(202);
        Incident done = pagerDuty.incident(dedupKey).orElseThrow();
        assertThat(done.state()).isEqualTo(State.RESOLVED);
        assertThat(done.actions()).containsExactly("trigger", "acknowledge", "resolve");
        assertThat(pagerDuty.events())
                .extracting(FakePagerDutyApi.Event::outcome)
                .containsExactly(Outcome.OPENED, Outcome.ACKNOWLEDGED, Outcome.RESOLVED);
        assertThat(pagerDuty.calls())
                .allSatisfy(c -> assertThat(c.header("Authorization")).isEmpty());
    }

    @Test
    void dedupKeysFollowPagerDutysRules() throws Exception {
        String key = "airflow:daily_orders:load_orders:scheduled__2026-11-20";

        send(trigger(ROUTING_KEY, key, "first"));
        send(trigger(ROUTING_KEY, key, "again"));
        send(trigger(OTHER_KEY, key, "other integration"));
        send(event(ROUTING_KEY, "resolve", key));
        send(event(ROUTING_KEY, "acknowledge", key));
        send(trigger(ROUTING_KEY, key, "after resolve"));

        assertThat(pagerDuty.events())
                .extracting(FakePagerDutyApi.Event::outcome)
                .containsExactly(
                        Outcome.OPENED,
                        Outcome.DEDUPLICATED,
                        Outcome.OPENED,
                        Outcome.RESOLVED,
                        Outcome.DROPPED,
                        Outcome.OPENED);
        assertThat(pagerDuty.incidents())
                .extracting(Incident::summary, Incident::routingKey, Incident::state)
                .containsExactly(
                        tuple("first", ROUTING_KEY, State.RESOLVED),
                        tuple("other integration", OTHER_KEY, State.TRIGGERED),
                        tuple("after resolve", ROUTING_KEY, State.TRIGGERED));
        assertThat(pagerDuty.incidents().get(0).actions()).containsExactly("trigger", "trigger", "resolve");
        assertThat(pagerDuty.incident(key).orElseThrow().summary()).isEqualTo("after resolve");
    }

    @Test
    void aTriggerWithoutDedupKeyGetsANewKeyAndAlertEachTime() throws Exception {
        ObjectNode noKey = trigger(ROUTING_KEY, "x", "disk full");
        noKey.remove("dedup_key");

        String first = JSON.readTree(send(noKey).body()).get("dedup_key").asText();
        String second = JSON.readTree(send(noKey).body()).get("dedup_key").asText();

        assertThat(first).matches("[0-9a-f]{32}").isNotEqualTo(second);
        assertThat(pagerDuty.incidents()).extracting(Incident::dedupKey).containsExactly(first, second);
    }

    @Test
    void invalidEventsListEveryProblem() throws Exception {
        ObjectNode badTrigger =
                JSON.createObjectNode().put("routing_key", ROUTING_KEY).put("event_action", "trigger");
        badTrigger.putObject("payload").put("summary", " ").put("severity", "fatal");

        assertThat(errors(send(badTrigger)))
                .containsExactly(
                        "'payload.summary' is missing or blank",
                        "'payload.source' is missing or blank",
                        "'payload.severity' is invalid (must be one of the following: 'critical', 'warning', 'error'"
                                + " or 'info')");
        assertThat(errors(send(
                        JSON.createObjectNode().put("routing_key", ROUTING_KEY).put("event_action", "trigger"))))
                .containsExactly("'payload' is missing or blank");
        assertThat(errors(send(
                        JSON.createObjectNode().put("routing_key", ROUTING_KEY).put("event_action", "escalate"))))
                .containsExactly(
                        "'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
        assertThat(errors(send(
                        JSON.createObjectNode().put("routing_key", ROUTING_KEY).put("event_action", "resolve"))))
                .containsExactly("'dedup_key' is missing or blank");
        assertThat(errors(send(
                        JSON.createObjectNode().put("event_action", "resolve").put("dedup_key", "k"))))
                .containsExactly("'routing_key' is missing or blank");
        assertThat(errors(send(trigger(ROUTING_KEY, "k".repeat(256), "s"))))
                .containsExactly("'dedup_key' is too long (must be 255 characters or fewer)");
        HttpResponse<String> notJson = post(pagerDuty.enqueueUrl(), "{\"routing_key\":", Duration.ofSeconds(5));
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).get("status").asText()).isEqualTo("invalid event");
        assertThat(pagerDuty.events()).isEmpty();
        assertThat(pagerDuty.incidents()).isEmpty();
    }

    @Test
    void throttlingAndServerErrorsComeFirstThenTheEventIsProcessed() throws Exception {
        pagerDuty.failNext(1, Trouble.throttled()).failNext(1, Trouble.status(503));
        ObjectNode event = trigger(ROUTING_KEY, "k1", "s");

        HttpResponse<String> first = send(event);
        HttpResponse<String> second = send(event);
        HttpResponse<String> third = send(event);

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(first.body()).get("status").asText()).isEqualTo("throttle event");
        assertThat(second.statusCode()).isEqualTo(503);
        assertThat(third.statusCode()).isEqualTo(202);
        assertThat(pagerDuty.calls()).hasSize(3);
        assertThat(pagerDuty.events()).hasSize(1);
        assertThat(pagerDuty.incidents()).hasSize(1);
    }

    @Test
    void aHangHoldsTheRequestAndADropClosesTheConnection() throws Exception {
        pagerDuty.failNext(1, Trouble.hang()).failNext(1, Trouble.drop());
        String body = trigger(ROUTING_KEY, "k1", "s").toString();

        assertThatThrownBy(() -> post(pagerDuty.enqueueUrl(), body, Duration.ofMillis(300)))
                .isInstanceOf(HttpTimeoutException.class);
        assertThatThrownBy(() -> post(pagerDuty.enqueueUrl(), body, Duration.ofSeconds(5)))
                .isInstanceOf(IOException.class);
        assertThat(post(pagerDuty.enqueueUrl(), body, Duration.ofSeconds(5)).statusCode())
                .isEqualTo(202);
        assertThat(pagerDuty
                        .awaitEvent(e -> e.dedupKey().equals("k1"), Duration.ofSeconds(1))
                        .outcome())
                .isEqualTo(Outcome.OPENED);
    }

    @Test
    void onlyPostToV2EnqueueIsServed() throws Exception {
        HttpResponse<String> wrongPath = post(pagerDuty.baseUrl() + "/v1/enqueue", "{}", Duration.ofSeconds(5));
        HttpResponse<String> get = http.send(
                HttpRequest.newBuilder(URI.create(pagerDuty.enqueueUrl())).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(wrongPath.statusCode()).isEqualTo(404);
        assertThat(get.statusCode()).isEqualTo(405);
    }

    // ---- helpers ----

    private static ObjectNode trigger(String routingKey, String dedupKey, String summary) {
        ObjectNode e = event(routingKey, "trigger", dedupKey);
        e.putObject("payload").put("summary", summary).put("source", "de-agent").put("severity", "error");
        return e;
    }

    private static ObjectNode event(String routingKey, String action, String dedupKey) {
        return JSON.createObjectNode()
                .put("routing_key", routingKey)
                .put("event_action", action)
                .put("dedup_key", dedupKey);
    }

    private static ObjectNode withKey(String sample, String routingKey) throws IOException {
        ObjectNode e = (ObjectNode) JSON.readTree(sample);
        e.put("routing_key", routingKey);
        return e;
    }

    private static List<String> errors(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("status").asText()).isEqualTo("invalid event");
        assertThat(body.get("message").asText()).isEqualTo("Event object is invalid");
        return JSON.convertValue(
                body.get("errors"), JSON.getTypeFactory().constructCollectionType(List.class, String.class));
    }

    private HttpResponse<String> send(Object event) throws IOException, InterruptedException {
        return post(pagerDuty.enqueueUrl(), event.toString(), Duration.ofSeconds(5));
    }

    private HttpResponse<String> post(String url, String body, Duration timeout)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(timeout)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String sample(String name) throws IOException {
        String resource = "reference/pagerduty/" + name;
        try (InputStream in = FakePagerDutyApiTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("missing test resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
