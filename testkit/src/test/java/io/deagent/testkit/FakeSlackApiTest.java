package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeSlackApi.Failure;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeSlackApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BLOCKS =
            "[{\"type\":\"section\",\"text\":{\"type\":\"mrkdwn\",\"text\":\"*hi* & bye\"}}]";

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeSlackApi slack = FakeSlackApi.start();

    @AfterEach
    void stop() {
        slack.close();
    }

    @Test
    void authTestAnswersWithTheBotIdentity() throws Exception {
        JsonNode body = json(form("auth.test", Map.of(), "xoxb-test"));

        assertThat(body.get("ok").asBoolean()).isTrue();
        assertThat(body.get("user_id").asText()).isEqualTo("U0BOT");
        assertThat(body.get("bot_id").asText()).isEqualTo("B0BOT");
        assertThat(body.get("team_id").asText()).isEqualTo("T0FAKE");
        assertThat(body.get("is_enterprise_install").asBoolean()).isFalse();
    }

    @Test
    void baseUrlIsLoopbackWithTheApiPath() {
        assertThat(slack.baseUrl()).matches("http://127\\.0\\.0\\.1:\\d+/api/");
    }

    @Test
    void postMessageFromAFormBodyDecodesEveryParameter() throws Exception {
        HttpResponse<String> response = form(
                "chat.postMessage",
                ordered("channel", "C0ALERTS", "text", "a + b = c & d ✓", "blocks", BLOCKS),
                "xoxb-test");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("ok").asBoolean()).isTrue();
        assertThat(body.get("channel").asText()).isEqualTo("C0ALERTS");
        assertThat(body.at("/message/text").asText()).isEqualTo("a + b = c & d ✓");
        assertThat(body.at("/message/bot_id").asText()).isEqualTo("B0BOT");
        assertThat(body.at("/message/ts").asText()).isEqualTo(body.get("ts").asText());
        assertThat(body.at("/message/blocks/0/text/text").asText()).isEqualTo("*hi* & bye");

        FakeSlackApi.Call call = slack.calls("chat.postMessage").get(0);
        assertThat(call.params()).containsEntry("text", "a + b = c & d ✓").containsEntry("blocks", BLOCKS);
        assertThat(call.header("authorization")).contains("Bearer xoxb-test");
    }

    @Test
    void postMessageFromAJsonBodyFlattensBlocksToTheirJsonText() throws Exception {
        String body = "{\"channel\":\"C0ALERTS\",\"text\":\"hello\",\"thread_ts\":\"1700000000.000100\",\"blocks\":"
                + BLOCKS + ",\"unfurl_links\":false}";
        JsonNode answer = json(post("chat.postMessage", "application/json; charset=utf-8", body, "xoxb-test"));

        assertThat(answer.get("ok").asBoolean()).isTrue();
        assertThat(answer.at("/message/thread_ts").asText()).isEqualTo("1700000000.000100");
        FakeSlackApi.Call call = slack.calls("chat.postMessage").get(0);
        assertThat(JSON.readTree(call.params().get("blocks"))).isEqualTo(JSON.readTree(BLOCKS));
        assertThat(call.params()).containsEntry("unfurl_links", "false").containsEntry("text", "hello");
    }

    @Test
    void everyPostGetsANewIncreasingTs() throws Exception {
        List<String> ts = new java.util.ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ts.add(json(form("chat.postMessage", Map.of("channel", "C1", "text", "n" + i), "xoxb-test"))
                    .get("ts")
                    .asText());
        }

        assertThat(ts).first().isEqualTo("1700000000.000100");
        assertThat(ts).doesNotHaveDuplicates().allMatch(t -> t.matches("\\d{10}\\.\\d{6}"));
        assertThat(ts)
                .isSortedAccordingTo((a, b) -> new java.math.BigDecimal(a).compareTo(new java.math.BigDecimal(b)));
    }

    @Test
    void theTokenMayComeAsAParameter() throws Exception {
        JsonNode body = json(form("auth.test", Map.of("token", "xoxb-test"), null));

        assertThat(body.get("ok").asBoolean()).isTrue();
    }

    @Test
    void aWrongTokenIsInvalidAuthWithHttp200AndNoTokenIsNotAuthed() throws Exception {
        HttpResponse<String> wrong = form("chat.postMessage", Map.of("channel", "C1", "text", "x"), "xoxb-other");
        HttpResponse<String> none = form("auth.test", Map.of(), null);

        assertThat(wrong.statusCode()).isEqualTo(200);
        assertThat(json(wrong).get("error").asText()).isEqualTo("invalid_auth");
        assertThat(json(none).get("error").asText()).isEqualTo("not_authed");
    }

    @Test
    void aConfiguredTokenReplacesTheDefault() throws Exception {
        try (FakeSlackApi other = FakeSlackApi.start("xoxb-mine")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(other.baseUrl() + "auth.test"))
                    .header("Authorization", "Bearer xoxb-mine")
                    .POST(HttpRequest.BodyPublishers.noBody())
                    .build());

            assertThat(json(response).get("ok").asBoolean()).isTrue();
            assertThat(other.token()).isEqualTo("xoxb-mine");
        }
    }

    @Test
    void postMessageChecksChannelTextAndBlocks() throws Exception {
        assertThat(error(form("chat.postMessage", Map.of("text", "x"), "xoxb-test")))
                .isEqualTo("channel_not_found");
        assertThat(error(form("chat.postMessage", Map.of("channel", "C1"), "xoxb-test")))
                .isEqualTo("no_text");
        assertThat(error(form("chat.postMessage", Map.of("channel", "C1", "blocks", "{not json"), "xoxb-test")))
                .isEqualTo("invalid_blocks");
    }

    @Test
    void updateAnswersForAPostedMessageOnly() throws Exception {
        String ts = json(form("chat.postMessage", Map.of("channel", "C1", "text", "investigating"), "xoxb-test"))
                .get("ts")
                .asText();

        JsonNode updated = json(form("chat.update", Map.of("channel", "C1", "ts", ts, "text", "done"), "xoxb-test"));
        assertThat(updated.get("ok").asBoolean()).isTrue();
        assertThat(updated.get("ts").asText()).isEqualTo(ts);
        assertThat(updated.get("text").asText()).isEqualTo("done");
        assertThat(error(form("chat.update", Map.of("channel", "C1", "ts", "1.000001", "text", "done"), "xoxb-test")))
                .isEqualTo("message_not_found");
    }

    @Test
    void conversationsInfoKnowsEveryChannelUntilOneIsMarkedMissing() throws Exception {
        JsonNode info = json(form("conversations.info", Map.of("channel", "C1"), "xoxb-test"));
        assertThat(info.at("/channel/id").asText()).isEqualTo("C1");
        assertThat(info.at("/channel/name").asText()).isEqualTo("alerts");
        assertThat(info.at("/channel/is_member").asBoolean()).isTrue();

        slack.markChannelMissing("C1");

        assertThat(error(form("conversations.info", Map.of("channel", "C1"), "xoxb-test")))
                .isEqualTo("channel_not_found");
        assertThat(error(form("chat.postMessage", Map.of("channel", "C1", "text", "x"), "xoxb-test")))
                .isEqualTo("channel_not_found");
    }

    @Test
    void anUnknownMethodSaysSo() throws Exception {
        assertThat(error(form("files.upload", Map.of(), "xoxb-test"))).isEqualTo("unknown_method");
    }

    @Test
    void rateLimitedIs429WithRetryAfterThenRecovers() throws Exception {
        slack.failNext("chat.postMessage", 2, Failure.rateLimited(7));
        Map<String, String> params = Map.of("channel", "C1", "text", "x");

        HttpResponse<String> first = form("chat.postMessage", params, "xoxb-test");
        HttpResponse<String> second = form("chat.postMessage", params, "xoxb-test");
        HttpResponse<String> third = form("chat.postMessage", params, "xoxb-test");

        assertThat(first.statusCode()).isEqualTo(429);
        assertThat(first.headers().firstValue("Retry-After")).contains("7");
        assertThat(json(first).get("error").asText()).isEqualTo("ratelimited");
        assertThat(second.statusCode()).isEqualTo(429);
        assertThat(third.statusCode()).isEqualTo(200);
        assertThat(json(third).get("ok").asBoolean()).isTrue();
        assertThat(slack.calls("chat.postMessage")).hasSize(3);
    }

    @Test
    void failuresApplyToTheirMethodOnly() throws Exception {
        slack.failNext("chat.postMessage", 1, Failure.serverError());

        assertThat(json(form("auth.test", Map.of(), "xoxb-test")).get("ok").asBoolean())
                .isTrue();
        assertThat(form("chat.postMessage", Map.of("channel", "C1", "text", "x"), "xoxb-test")
                        .statusCode())
                .isEqualTo(500);
    }

    @Test
    void slackErrorsAreHttp200WithOkFalse() throws Exception {
        slack.failNext("chat.postMessage", 1, Failure.slackError("not_in_channel"));

        HttpResponse<String> response = form("chat.postMessage", Map.of("channel", "C1", "text", "x"), "xoxb-test");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("ok").asBoolean()).isFalse();
        assertThat(json(response).get("error").asText()).isEqualTo("not_in_channel");
    }

    @Test
    void aDroppedConnectionIsAnIoErrorForTheClient() throws Exception {
        slack.failNext("chat.postMessage", 1, Failure.dropConnection());

        assertThatThrownBy(() -> form("chat.postMessage", Map.of("channel", "C1", "text", "x"), "xoxb-test"))
                .isInstanceOf(IOException.class);
        assertThat(form("chat.postMessage", Map.of("channel", "C1", "text", "x"), "xoxb-test")
                        .statusCode())
                .isEqualTo(200);
        assertThat(slack.calls("chat.postMessage")).hasSize(2);
    }

    @Test
    void whileDownEveryRequestIsRecordedAndDropped() throws Exception {
        slack.setDown(true);

        assertThatThrownBy(() -> form("auth.test", Map.of(), "xoxb-test")).isInstanceOf(IOException.class);
        assertThat(slack.calls("auth.test")).hasSize(1);

        slack.setDown(false);
        assertThat(json(form("auth.test", Map.of(), "xoxb-test")).get("ok").asBoolean())
                .isTrue();
    }

    @Test
    void awaitCallReturnsACallThatArrivesLater() throws Exception {
        CompletableFuture<HttpResponse<String>> later = CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return form("chat.postMessage", Map.of("channel", "C9", "text", "later"), "xoxb-test");
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS));

        FakeSlackApi.Call call = slack.awaitCall(
                "chat.postMessage", c -> c.param("channel").orElse("").equals("C9"), Duration.ofSeconds(5));

        assertThat(call.params()).containsEntry("text", "later");
        assertThat(later.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void awaitCallTimesOutListingTheCallsSeen() throws Exception {
        form("chat.postMessage", Map.of("channel", "C1", "text", "other"), "xoxb-test");

        assertThatThrownBy(() -> slack.awaitCall(
                        "chat.postMessage", c -> c.param("channel").orElse("").equals("C2"), Duration.ofMillis(100)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("chat.postMessage")
                .hasMessageContaining("C1");
    }

    @Test
    void callsAreStampedByTheGivenClock() throws Exception {
        Instant fixed = Instant.parse("2026-11-20T03:14:05Z");
        try (FakeSlackApi other = FakeSlackApi.start("xoxb-test", Clock.fixed(fixed, ZoneOffset.UTC))) {
            send(HttpRequest.newBuilder(URI.create(other.baseUrl() + "auth.test?token=xoxb-test"))
                    .GET()
                    .build());

            assertThat(other.calls()).singleElement().satisfies(c -> {
                assertThat(c.at()).isEqualTo(fixed);
                assertThat(c.token()).contains("xoxb-test");
            });
        }
    }

    private String error(HttpResponse<String> response) throws IOException {
        JsonNode body = json(response);
        assertThat(body.get("ok").asBoolean()).as(response.body()).isFalse();
        return body.get("error").asText();
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    /** Form-encoded like the Java Slack SDK; the token goes in the bearer header when given. */
    private HttpResponse<String> form(String method, Map<String, String> params, String token)
            throws IOException, InterruptedException {
        String body = params.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return post(method, "application/x-www-form-urlencoded", body, token);
    }

    private HttpResponse<String> post(String method, String contentType, String body, String token)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(slack.baseUrl() + method))
                .timeout(Duration.ofSeconds(5))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return send(request.build());
    }

    private HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }
}
