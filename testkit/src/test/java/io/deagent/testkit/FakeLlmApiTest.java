package io.deagent.testkit;

import static io.deagent.testkit.FakeLlmApi.Provider.ANTHROPIC;
import static io.deagent.testkit.FakeLlmApi.Provider.GEMINI;
import static io.deagent.testkit.FakeLlmApi.Provider.OLLAMA;
import static io.deagent.testkit.FakeLlmApi.Provider.OPENAI;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeLlmApi.Call;
import io.deagent.testkit.FakeLlmApi.Provider;
import io.deagent.testkit.FakeLlmApi.Trouble;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class FakeLlmApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SYSTEM = "You explain why a data pipeline task failed. Answer with JSON only.";
    private static final String USER = "Task load_orders failed: ERROR: relation \"staging.orders\" does not exist";
    private static final String VERDICT = "{\"category\":\"MISSING_TABLE\",\"confidence\":0.9}";
    private static final Instant NOW = Instant.parse("2026-11-20T03:15:00Z");

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final FakeLlmApi fake = FakeLlmApi.start(Clock.fixed(NOW, ZoneOffset.UTC));

    @AfterEach
    void stop() {
        fake.close();
    }

    // ---- request bodies as LangChain4j sends them ----

    private static String openAiBody() {
        return "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":" + quote(SYSTEM)
                + "},{\"role\":\"user\",\"content\":" + quote(USER) + "}],\"temperature\":0.0,\"stream\":false,"
                + "\"response_format\":{\"type\":\"json_object\"}}";
    }

    private static String anthropicBody() {
        return "{\"model\":\"claude-3-5-haiku-latest\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
                + "\"text\":" + quote(USER) + "}]}],\"system\":[{\"type\":\"text\",\"text\":" + quote(SYSTEM)
                + "}],\"max_tokens\":1024,\"stream\":false,\"temperature\":0.0}";
    }

    private static String geminiBody() {
        return "{\"contents\":[{\"parts\":[{\"text\":" + quote(USER) + "}],\"role\":\"user\"}],"
                + "\"systemInstruction\":{\"parts\":[{\"text\":" + quote(SYSTEM) + "}]},"
                + "\"generationConfig\":{\"temperature\":0.0,\"responseMimeType\":\"application/json\"}}";
    }

    private static String ollamaBody(String stream) {
        return "{\"model\":\"llama3.1\",\"messages\":[{\"role\":\"system\",\"content\":" + quote(SYSTEM)
                + "},{\"role\":\"user\",\"content\":" + quote(USER) + "}],\"options\":{\"temperature\":0.0}"
                + (stream == null ? "" : ",\"stream\":" + stream) + "}";
    }

    // ---- base URLs ----

    @Test
    void eachProviderHasItsOwnLoopbackBaseUrl() {
        assertThat(fake.baseUrl(OPENAI)).matches("http://127\\.0\\.0\\.1:\\d+/openai/v1");
        assertThat(fake.baseUrl(GEMINI)).matches("http://127\\.0\\.0\\.1:\\d+/gemini/v1beta");
        assertThat(fake.baseUrl(ANTHROPIC)).matches("http://127\\.0\\.0\\.1:\\d+/anthropic/v1");
        assertThat(fake.baseUrl(OLLAMA)).matches("http://127\\.0\\.0\\.1:\\d+/ollama");
        assertThat(fake.baseUrl(OPENAI)).startsWith(fake.rootUrl());
    }

    // ---- the four happy paths ----

    @Test
    void openAiAnswersAChatCompletion() throws Exception {
        fake.answerNext(VERDICT);

        HttpResponse<String> response = openAi(openAiBody(), "Bearer sk-test");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("id").asText()).startsWith("chatcmpl-");
        assertThat(body.get("object").asText()).isEqualTo("chat.completion");
        assertThat(body.get("created").asLong()).isEqualTo(NOW.getEpochSecond());
        assertThat(body.get("model").asText()).isEqualTo("gpt-4o-mini");
        assertThat(body.at("/choices/0/index").asInt()).isZero();
        assertThat(body.at("/choices/0/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/choices/0/message/content").asText()).isEqualTo(VERDICT);
        assertThat(body.at("/choices/0/finish_reason").asText()).isEqualTo("stop");
        JsonNode usage = body.get("usage");
        assertThat(usage.get("total_tokens").asInt())
                .isEqualTo(usage.get("prompt_tokens").asInt()
                        + usage.get("completion_tokens").asInt());
    }

    @Test
    void anthropicAnswersAMessage() throws Exception {
        fake.answerNext(VERDICT);
        fake.usage(321, 45);

        HttpResponse<String> response = anthropic(anthropicBody(), "sk-ant-test", "2023-06-01");

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("id").asText()).startsWith("msg_");
        assertThat(body.get("type").asText()).isEqualTo("message");
        assertThat(body.get("role").asText()).isEqualTo("assistant");
        assertThat(body.get("model").asText()).isEqualTo("claude-3-5-haiku-latest");
        assertThat(body.at("/content/0/type").asText()).isEqualTo("text");
        assertThat(body.at("/content/0/text").asText()).isEqualTo(VERDICT);
        assertThat(body.get("stop_reason").asText()).isEqualTo("end_turn");
        assertThat(body.at("/usage/input_tokens").asInt()).isEqualTo(321);
        assertThat(body.at("/usage/output_tokens").asInt()).isEqualTo(45);
    }

    @Test
    void geminiAnswersGenerateContentWithTheModelFromThePath() throws Exception {
        fake.answerNext(VERDICT);
        fake.usage(100, 20);

        HttpResponse<String> response = gemini("gemini-2.0-flash", geminiBody(), "AIza-test", null);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.at("/candidates/0/content/role").asText()).isEqualTo("model");
        assertThat(body.at("/candidates/0/content/parts/0/text").asText()).isEqualTo(VERDICT);
        assertThat(body.at("/candidates/0/finishReason").asText()).isEqualTo("STOP");
        assertThat(body.at("/usageMetadata/promptTokenCount").asInt()).isEqualTo(100);
        assertThat(body.at("/usageMetadata/candidatesTokenCount").asInt()).isEqualTo(20);
        assertThat(body.at("/usageMetadata/totalTokenCount").asInt()).isEqualTo(120);
        assertThat(body.get("modelVersion").asText()).isEqualTo("gemini-2.0-flash");
        assertThat(fake.calls(GEMINI).get(0).model()).contains("gemini-2.0-flash");
    }

    @Test
    void geminiAlsoTakesTheKeyAsAQueryParameter() throws Exception {
        HttpResponse<String> response = gemini("gemini-2.0-flash", geminiBody(), null, "AIza%2Dtest");

        assertThat(response.statusCode()).isEqualTo(200);
        Call call = fake.calls(GEMINI).get(0);
        assertThat(call.queryParam("key")).contains("AIza-test");
        assertThat(call.apiKey()).contains("AIza-test");
    }

    @Test
    void ollamaAnswersOneObjectWhenNotStreaming() throws Exception {
        fake.answerNext(VERDICT);
        fake.usage(77, 9);

        HttpResponse<String> response = ollama(ollamaBody("false"));

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("model").asText()).isEqualTo("llama3.1");
        assertThat(body.get("created_at").asText()).isEqualTo(NOW.toString());
        assertThat(body.at("/message/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/message/content").asText()).isEqualTo(VERDICT);
        assertThat(body.get("done").asBoolean()).isTrue();
        assertThat(body.get("done_reason").asText()).isEqualTo("stop");
        assertThat(body.get("prompt_eval_count").asInt()).isEqualTo(77);
        assertThat(body.get("eval_count").asInt()).isEqualTo(9);
    }

    @Test
    void ollamaStreamsNdjsonByDefaultAsTheRealOneDoes() throws Exception {
        fake.answerNext(VERDICT);

        HttpResponse<String> response = ollama(ollamaBody(null));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/x-ndjson");
        List<JsonNode> chunks = new ArrayList<>();
        for (String line : response.body().strip().split("\n")) {
            chunks.add(JSON.readTree(line));
        }
        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0).at("/message/content").asText()).isEqualTo(VERDICT);
        assertThat(chunks.get(0).get("done").asBoolean()).isFalse();
        assertThat(chunks.get(1).get("done").asBoolean()).isTrue();
        assertThat(chunks.get(1).get("eval_count").asInt()).isPositive();
    }

    @Test
    void theOthersRefuseToStreamRatherThanAnswerInTheWrongFormat() throws Exception {
        HttpResponse<String> response = openAi(openAiBody().replace("\"stream\":false", "\"stream\":true"), "Bearer k");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText()).contains("does not stream");
    }

    // ---- programmed answers and usage ----

    @Test
    void queuedAnswersComeFirstThenTheStandingOneThenTheDefault() throws Exception {
        assertThat(openAiText()).isEqualTo(FakeLlmApi.DEFAULT_ANSWER);
        fake.answerAlways("always");
        fake.answerNext("first");
        fake.answerNext("second");

        assertThat(openAiText()).isEqualTo("first");
        assertThat(openAiText()).isEqualTo("second");
        assertThat(openAiText()).isEqualTo("always");
        assertThat(openAiText()).isEqualTo("always");
    }

    @Test
    void theAnswerQueueIsSharedByAllProviders() throws Exception {
        fake.answerNext("to whoever asks first");

        JsonNode body =
                JSON.readTree(anthropic(anthropicBody(), "k", "2023-06-01").body());

        assertThat(body.at("/content/0/text").asText()).isEqualTo("to whoever asks first");
        assertThat(openAiText()).isEqualTo(FakeLlmApi.DEFAULT_ANSWER);
    }

    @Test
    void withoutProgrammedUsageTokensAreEstimatedFromTheText() throws Exception {
        fake.answerNext("12345678"); // 8 characters: 2 tokens

        JsonNode usage = JSON.readTree(openAi(openAiBody(), "Bearer k").body()).get("usage");

        int promptChars = (SYSTEM + "\n" + USER).length();
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo((promptChars + 3) / 4);
        assertThat(usage.get("completion_tokens").asInt()).isEqualTo(2);
    }

    // ---- recording ----

    @Test
    void everyCallIsRecordedWithPathHeadersAndBody() throws Exception {
        anthropic(anthropicBody(), "sk-ant-test", "2023-06-01");

        Call call = fake.calls(ANTHROPIC).get(0);
        assertThat(call.provider()).isEqualTo(ANTHROPIC);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/anthropic/v1/messages");
        assertThat(call.header("X-API-KEY")).contains("sk-ant-test");
        assertThat(call.header("anthropic-version")).contains("2023-06-01");
        assertThat(call.apiKey()).contains("sk-ant-test");
        assertThat(JSON.readTree(call.body())).isEqualTo(JSON.readTree(anthropicBody()));
        assertThat(call.json().get("max_tokens").asInt()).isEqualTo(1024);
        assertThat(call.model()).contains("claude-3-5-haiku-latest");
        assertThat(call.at()).isEqualTo(NOW);
        assertThat(fake.calls()).hasSize(1);
        assertThat(fake.calls(OPENAI)).isEmpty();
    }

    @Test
    void promptTextExtractsSystemAndUserTextForEveryProvider() throws Exception {
        openAi(openAiBody(), "Bearer k");
        anthropic(anthropicBody(), "k", "2023-06-01");
        gemini("gemini-2.0-flash", geminiBody(), "k", null);
        ollama(ollamaBody("false"));

        for (Provider p : Provider.values()) {
            Call call = fake.calls(p).get(0);
            assertThat(FakeLlmApi.promptText(call)).as(p.name()).isEqualTo(SYSTEM + "\n" + USER);
            assertThat(call.promptText()).as(p.name()).isEqualTo(SYSTEM + "\n" + USER);
        }
    }

    @Test
    void promptTextReadsStringSystemPromptsAndOpenAiContentParts() throws Exception {
        openAi(
                "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},"
                        + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:x\"}},{\"type\":\"text\",\"text\":\"b\"}]}]}",
                "Bearer k");
        anthropic(
                "{\"model\":\"m\",\"max_tokens\":10,\"system\":\"sys\",\"messages\":[{\"role\":\"user\",\"content\":\"u\"},"
                        + "{\"role\":\"assistant\",\"content\":\"a\"},{\"role\":\"user\",\"content\":[{\"type\":"
                        + "\"tool_result\",\"tool_use_id\":\"t1\",\"content\":\"rows: 0\"}]}]}",
                "k",
                "2023-06-01");

        assertThat(fake.calls(OPENAI).get(0).promptText()).isEqualTo("a\nb");
        assertThat(fake.calls(ANTHROPIC).get(0).promptText()).isEqualTo("sys\nu\na\nrows: 0");
    }

    @Test
    void awaitCallWaitsForACallStillToCome() throws Exception {
        CompletableFuture<HttpResponse<String>> later = CompletableFuture.supplyAsync(() -> {
            try {
                Thread.sleep(100);
                return ollama(ollamaBody("false"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        Call call = fake.awaitCall(OLLAMA, c -> c.promptText().contains("staging.orders"), Duration.ofSeconds(5));

        assertThat(call.model()).contains("llama3.1");
        assertThat(later.get(5, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void awaitCallFailsListingTheCallsThatDidArrive() throws Exception {
        openAi(openAiBody(), "Bearer k");

        assertThatThrownBy(() -> fake.awaitCall(GEMINI, Duration.ofMillis(50)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("no matching GEMINI call")
                .hasMessageContaining("OPENAI POST /openai/v1/chat/completions");
    }

    // ---- keys and request checks ----

    @ParameterizedTest
    @EnumSource(
            value = Provider.class,
            names = {"OPENAI", "GEMINI", "ANTHROPIC"})
    void aMissingKeyIs401InTheProvidersShape(Provider p) throws Exception {
        HttpResponse<String> response =
                switch (p) {
                    case OPENAI -> openAi(openAiBody(), null);
                    case GEMINI -> gemini("gemini-2.0-flash", geminiBody(), null, null);
                    case ANTHROPIC -> anthropic(anthropicBody(), null, "2023-06-01");
                    case OLLAMA -> throw new IllegalArgumentException();
                };

        assertThat(response.statusCode()).isEqualTo(401);
        JsonNode body = JSON.readTree(response.body());
        switch (p) {
            case OPENAI -> {
                assertThat(body.at("/error/message").asText()).contains("You didn't provide an API key");
                assertThat(body.at("/error/type").asText()).isEqualTo("invalid_request_error");
                assertThat(body.at("/error/code").asText()).isEqualTo("invalid_api_key");
            }
            case GEMINI -> {
                assertThat(body.at("/error/code").asInt()).isEqualTo(401);
                assertThat(body.at("/error/status").asText()).isEqualTo("UNAUTHENTICATED");
            }
            case ANTHROPIC -> {
                assertThat(body.get("type").asText()).isEqualTo("error");
                assertThat(body.at("/error/type").asText()).isEqualTo("authentication_error");
                assertThat(body.at("/error/message").asText()).isEqualTo("x-api-key header is required");
            }
            case OLLAMA -> throw new IllegalArgumentException();
        }
        assertThat(fake.calls(p)).hasSize(1);
    }

    @Test
    void aBlankBearerIsNoKeyAndOllamaNeedsNone() throws Exception {
        assertThat(openAi(openAiBody(), "Bearer ").statusCode()).isEqualTo(401);
        assertThat(ollama(ollamaBody("false")).statusCode()).isEqualTo(200);
    }

    @Test
    void anthropicWithoutAVersionHeaderIs400() throws Exception {
        HttpResponse<String> response = anthropic(anthropicBody(), "k", null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).at("/error/message").asText())
                .isEqualTo("anthropic-version: header is required");
    }

    @Test
    void bodiesTheProviderWouldRejectAre400() throws Exception {
        assertThat(openAi("not json", "Bearer k").statusCode()).isEqualTo(400);
        assertThat(openAi("{\"model\":\"m\",\"messages\":[]}", "Bearer k").statusCode())
                .isEqualTo(400);
        HttpResponse<String> noMax = anthropic(anthropicBody().replace("\"max_tokens\":1024,", ""), "k", "2023-06-01");
        assertThat(noMax.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noMax.body()).at("/error/type").asText()).isEqualTo("invalid_request_error");
        HttpResponse<String> noContents = gemini("gemini-2.0-flash", "{\"contents\":[]}", "k", null);
        assertThat(noContents.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noContents.body()).at("/error/status").asText())
                .isEqualTo("INVALID_ARGUMENT");
        assertThat(JSON.readTree(ollama("{\"messages\":[]}").body())
                        .get("error")
                        .asText())
                .isEqualTo("model is required");
    }

    @Test
    void unknownPathsAre404InTheProvidersShapeAndStraysArePlain404() throws Exception {
        HttpResponse<String> wrong = send(HttpRequest.newBuilder(URI.create(fake.baseUrl(OPENAI) + "/completions"))
                .header("Authorization", "Bearer k")
                .POST(HttpRequest.BodyPublishers.ofString(openAiBody())));
        assertThat(wrong.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(wrong.body()).at("/error/message").asText()).contains("/openai/v1/completions");

        HttpResponse<String> doubled = gemini("models/gemini-2.0-flash", geminiBody(), "k", null);
        assertThat(doubled.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(doubled.body()).at("/error/status").asText()).isEqualTo("NOT_FOUND");

        HttpResponse<String> stray = send(HttpRequest.newBuilder(URI.create(fake.rootUrl() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(openAiBody())));
        assertThat(stray.statusCode()).isEqualTo(404);
        assertThat(fake.calls()).hasSize(2);
        assertThatThrownBy(() -> fake.awaitCall(OPENAI, c -> false, Duration.ofMillis(20)))
                .hasMessageContaining("(no provider) POST /v1/chat/completions");
    }

    // ---- trouble ----

    @Test
    void rateLimitedIs429WithRetryAfterInEachProvidersShape() throws Exception {
        fake.failNext(4, Trouble.rateLimited(7));

        HttpResponse<String> openAi = openAi(openAiBody(), "Bearer k");
        HttpResponse<String> anthropic = anthropic(anthropicBody(), "k", "2023-06-01");
        HttpResponse<String> gemini = gemini("gemini-2.0-flash", geminiBody(), "k", null);
        HttpResponse<String> ollama = ollama(ollamaBody("false"));

        for (HttpResponse<String> r : List.of(openAi, anthropic, gemini, ollama)) {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).contains("7");
        }
        assertThat(JSON.readTree(openAi.body()).at("/error/code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(JSON.readTree(anthropic.body()).at("/error/type").asText()).isEqualTo("rate_limit_error");
        JsonNode g = JSON.readTree(gemini.body());
        assertThat(g.at("/error/code").asInt()).isEqualTo(429);
        assertThat(g.at("/error/status").asText()).isEqualTo("RESOURCE_EXHAUSTED");
        assertThat(g.at("/error/details/0/retryDelay").asText()).isEqualTo("7s");
        assertThat(JSON.readTree(ollama.body()).get("error").asText()).contains("too many requests");

        assertThat(openAi(openAiBody(), "Bearer k").statusCode()).isEqualTo(200);
    }

    @Test
    void statusErrorsTakeTheProvidersShape() throws Exception {
        fake.failNext(OPENAI, 1, Trouble.status(500));
        fake.failNext(ANTHROPIC, 1, Trouble.status(529, "Overloaded"));
        fake.failNext(GEMINI, 1, Trouble.status(503, "The model is overloaded. Please try again later."));
        fake.failNext(OLLAMA, 1, Trouble.status(500, "model runner has unexpectedly stopped"));

        HttpResponse<String> openAi = openAi(openAiBody(), "Bearer k");
        assertThat(openAi.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(openAi.body()).at("/error/type").asText()).isEqualTo("server_error");
        assertThat(JSON.readTree(openAi.body()).at("/error/message").asText()).contains("Sorry about that");

        HttpResponse<String> anthropic = anthropic(anthropicBody(), "k", "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(529);
        assertThat(JSON.readTree(anthropic.body()).at("/error/type").asText()).isEqualTo("overloaded_error");

        HttpResponse<String> gemini = gemini("gemini-2.0-flash", geminiBody(), "k", null);
        assertThat(gemini.statusCode()).isEqualTo(503);
        assertThat(JSON.readTree(gemini.body()).at("/error/status").asText()).isEqualTo("UNAVAILABLE");

        HttpResponse<String> ollama = ollama(ollamaBody("false"));
        assertThat(ollama.statusCode()).isEqualTo(500);
        assertThat(JSON.readTree(ollama.body()).get("error").asText())
                .isEqualTo("model runner has unexpectedly stopped");
    }

    @Test
    void troubleForOneProviderLeavesTheOthersAlone() throws Exception {
        fake.failNext(GEMINI, 2, Trouble.status(500));

        assertThat(openAi(openAiBody(), "Bearer k").statusCode()).isEqualTo(200);
        assertThat(gemini("gemini-2.0-flash", geminiBody(), "k", null).statusCode())
                .isEqualTo(500);
        assertThat(gemini("gemini-2.0-flash", geminiBody(), "k", null).statusCode())
                .isEqualTo(500);
        assertThat(gemini("gemini-2.0-flash", geminiBody(), "k", null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void troubleComesBeforeTheKeyCheckAndIsRecorded() throws Exception {
        fake.failNext(1, Trouble.status(503));

        assertThat(openAi(openAiBody(), null).statusCode()).isEqualTo(503);
        assertThat(fake.calls(OPENAI)).hasSize(1);
    }

    @Test
    void quotaExceededTakesEachProvidersQuotaShape() throws Exception {
        fake.failNext(4, Trouble.quotaExceeded());

        HttpResponse<String> openAi = openAi(openAiBody(), "Bearer k");
        assertThat(openAi.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(openAi.body()).at("/error/type").asText()).isEqualTo("insufficient_quota");
        assertThat(JSON.readTree(openAi.body()).at("/error/code").asText()).isEqualTo("insufficient_quota");

        HttpResponse<String> anthropic = anthropic(anthropicBody(), "k", "2023-06-01");
        assertThat(anthropic.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(anthropic.body()).at("/error/message").asText())
                .contains("credit balance is too low");

        HttpResponse<String> gemini = gemini("gemini-2.0-flash", geminiBody(), "k", null);
        assertThat(gemini.statusCode()).isEqualTo(429);
        JsonNode g = JSON.readTree(gemini.body());
        assertThat(g.at("/error/message").asText()).contains("exceeded your current quota");
        assertThat(g.at("/error/details/0/@type").asText()).endsWith("QuotaFailure");

        HttpResponse<String> ollama = ollama(ollamaBody("false"));
        assertThat(ollama.statusCode()).isEqualTo(429);
        assertThat(JSON.readTree(ollama.body()).has("error")).isTrue();
    }

    @Test
    void garbageIs200WithAnHtmlPage() throws Exception {
        fake.failNext(1, Trouble.garbage());

        HttpResponse<String> response = openAi(openAiBody(), "Bearer k");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThatThrownBy(() -> JSON.readTree(response.body())).isInstanceOf(IOException.class);
    }

    @Test
    void wrongShapeIs200JsonWithoutTheProvidersFields() throws Exception {
        fake.failNext(1, Trouble.wrongShape());

        JsonNode body =
                JSON.readTree(anthropic(anthropicBody(), "k", "2023-06-01").body());

        assertThat(body.isObject()).isTrue();
        assertThat(body.has("content")).isFalse();
        assertThat(body.has("choices")).isFalse();
    }

    @Test
    void rawTroubleIsSentVerbatim() throws Exception {
        fake.failNext(1, Trouble.raw(502, "text/html", "<html>502 Bad Gateway</html>"));

        HttpResponse<String> response = ollama(ollamaBody("false"));

        assertThat(response.statusCode()).isEqualTo(502);
        assertThat(response.body()).isEqualTo("<html>502 Bad Gateway</html>");
    }

    @Test
    void cutOffAnswersPartialTextWithTheOutOfTokensStopReason() throws Exception {
        fake.failNext(4, Trouble.cutOff("{\"category\":\"MISS"));

        assertThat(JSON.readTree(openAi(openAiBody(), "Bearer k").body())
                        .at("/choices/0/finish_reason")
                        .asText())
                .isEqualTo("length");
        JsonNode anthropic =
                JSON.readTree(anthropic(anthropicBody(), "k", "2023-06-01").body());
        assertThat(anthropic.get("stop_reason").asText()).isEqualTo("max_tokens");
        assertThat(anthropic.at("/content/0/text").asText()).isEqualTo("{\"category\":\"MISS");
        assertThat(JSON.readTree(gemini("gemini-2.0-flash", geminiBody(), "k", null)
                                .body())
                        .at("/candidates/0/finishReason")
                        .asText())
                .isEqualTo("MAX_TOKENS");
        assertThat(JSON.readTree(ollama(ollamaBody("false")).body())
                        .get("done_reason")
                        .asText())
                .isEqualTo("length");
    }

    @Test
    void hangHoldsTheRequestWithoutBlockingOthers() throws Exception {
        fake.failNext(OPENAI, 1, Trouble.hang());

        HttpRequest hanging = HttpRequest.newBuilder(URI.create(fake.baseUrl(OPENAI) + "/chat/completions"))
                .header("Authorization", "Bearer k")
                .timeout(Duration.ofMillis(300))
                .POST(HttpRequest.BodyPublishers.ofString(openAiBody()))
                .build();
        assertThatThrownBy(() -> http.send(hanging, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);

        assertThat(ollama(ollamaBody("false")).statusCode()).isEqualTo(200);
        assertThat(openAi(openAiBody(), "Bearer k").statusCode()).isEqualTo(200);
        assertThat(fake.calls(OPENAI)).hasSize(2);
    }

    @Test
    void dropClosesTheConnectionWithoutAnAnswer() {
        fake.failNext(1, Trouble.drop());

        assertThatThrownBy(() -> anthropic(anthropicBody(), "k", "2023-06-01")).isInstanceOf(IOException.class);
        assertThat(fake.calls(ANTHROPIC)).hasSize(1);
    }

    @Test
    void failNextRejectsANegativeCount() {
        assertThatThrownBy(() -> fake.failNext(-1, Trouble.hang())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> fake.usage(-1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- helpers ----

    private String openAiText() throws Exception {
        return JSON.readTree(openAi(openAiBody(), "Bearer k").body())
                .at("/choices/0/message/content")
                .asText();
    }

    private HttpResponse<String> openAi(String body, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.baseUrl(OPENAI) + "/chat/completions"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> anthropic(String body, String key, String version) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fake.baseUrl(ANTHROPIC) + "/messages"));
        if (key != null) {
            b.header("x-api-key", key);
        }
        if (version != null) {
            b.header("anthropic-version", version);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> gemini(String model, String body, String headerKey, String queryKey) throws Exception {
        String url = fake.baseUrl(GEMINI) + "/models/" + model + ":generateContent"
                + (queryKey == null ? "" : "?key=" + queryKey);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (headerKey != null) {
            b.header("x-goog-api-key", headerKey);
        }
        return send(b.POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> ollama(String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(fake.baseUrl(OLLAMA) + "/api/chat"))
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(
                request.header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String quote(String s) {
        return JSON.getNodeFactory().textNode(s).toString();
    }
}
