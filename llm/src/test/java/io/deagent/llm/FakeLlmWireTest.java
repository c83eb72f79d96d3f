package io.deagent.llm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.deagent.testkit.FakeLlmApi;
import io.deagent.testkit.FakeLlmApi.Provider;
import io.deagent.testkit.FakeLlmApi.Trouble;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The real LangChain4j chat models against {@link FakeLlmApi}: the fake's wire formats are the ones they speak. */
class FakeLlmWireTest {

    private static final String SYSTEM = "You explain why a data pipeline task failed. Answer with JSON only.";
    private static final String USER = "Task load_orders failed: ERROR: relation \"staging.orders\" does not exist";
    private static final String VERDICT = "{\"category\":\"MISSING_TABLE\",\"confidence\":0.9}";

    private final FakeLlmApi fake = FakeLlmApi.start();

    @AfterEach
    void stop() {
        fake.close();
    }

    private ChatModel model(Provider p, Duration timeout) {
        String base = fake.baseUrl(p);
        return switch (p) {
            case OPENAI ->
                OpenAiChatModel.builder()
                        .baseUrl(base)
                        .apiKey("k")
                        .modelName("gpt-4o-mini")
                        .temperature(0.1)
                        .responseFormat("json_object")
                        .timeout(timeout)
                        .maxRetries(0)
                        .build();
            case GEMINI ->
                GoogleAiGeminiChatModel.builder()
                        .baseUrl(base)
                        .apiKey("k")
                        .modelName("gemini-2.0-flash")
                        .temperature(0.1)
                        .responseFormat(ResponseFormat.JSON)
                        .timeout(timeout)
                        .maxRetries(0)
                        .build();
            case ANTHROPIC ->
                AnthropicChatModel.builder()
                        .baseUrl(base)
                        .apiKey("k")
                        .modelName("claude-3-5-haiku-latest")
                        .temperature(0.1)
                        .timeout(timeout)
                        .maxRetries(0)
                        .build();
            case OLLAMA ->
                OllamaChatModel.builder()
                        .baseUrl(base)
                        .modelName("llama3.1")
                        .temperature(0.1)
                        .responseFormat(ResponseFormat.JSON)
                        .timeout(timeout)
                        .maxRetries(0)
                        .build();
        };
    }

    private static ChatRequest request() {
        return ChatRequest.builder()
                .messages(SystemMessage.from(SYSTEM), UserMessage.from(USER))
                .build();
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void replyTextAndTokenUsageComeBack(Provider p) {
        fake.answerNext(VERDICT);
        fake.usage(321, 45);

        ChatResponse response = model(p, Duration.ofSeconds(10)).chat(request());

        assertThat(response.aiMessage().text()).isEqualTo(VERDICT);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(321);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(45);
        assertThat(response.tokenUsage().totalTokenCount()).isEqualTo(366);
        assertThat(response.finishReason()).hasToString("STOP");
        FakeLlmApi.Call call = fake.awaitCall(p, Duration.ofSeconds(1));
        assertThat(call.promptText()).isEqualTo(SYSTEM + "\n" + USER);
        assertThat(fake.calls(p)).hasSize(1);
    }

    @ParameterizedTest
    @EnumSource(Provider.class)
    void aCutOffAnswerReportsTheLengthFinishReason(Provider p) {
        fake.failNext(1, Trouble.cutOff("{\"category\":\"MISS"));

        ChatResponse response = model(p, Duration.ofSeconds(10)).chat(request());

        assertThat(response.aiMessage().text()).isEqualTo("{\"category\":\"MISS");
        assertThat(response.finishReason()).hasToString("LENGTH");
    }

    /**
     * Which exception each client throws for each kind of trouble, by simple class name, asserted as one table so
     * a change in LangChain4j shows up as one readable diff. HTTP errors become {@code LangChain4jException}s whose
     * message is the response body and whose cause is an {@code HttpException} with the status; an unreadable body
     * or a dropped connection is a plain {@code RuntimeException} (cause: the Jackson or I/O exception), and a JSON
     * body of the wrong shape mostly a {@code NullPointerException}.
     */
    @Test
    void troubleSurfacesAsTheseExceptionTypes() {
        Map<String, Trouble> troubles = new LinkedHashMap<>();
        troubles.put("401", Trouble.status(401));
        troubles.put("429", Trouble.rateLimited(1));
        troubles.put("quota", Trouble.quotaExceeded());
        troubles.put("500", Trouble.status(500));
        troubles.put("503", Trouble.status(503));
        troubles.put("timeout", Trouble.hang());
        troubles.put("garbage", Trouble.garbage());
        troubles.put("wrongShape", Trouble.wrongShape());
        troubles.put("drop", Trouble.drop());

        Map<String, String> seen = new LinkedHashMap<>();
        for (Provider p : Provider.values()) {
            ChatModel model = model(p, Duration.ofMillis(700));
            troubles.forEach((name, trouble) -> {
                fake.failNext(p, 1, trouble);
                String outcome;
                try {
                    outcome = "answered " + model.chat(request()).aiMessage().text();
                } catch (RuntimeException e) {
                    outcome = e.getClass().getSimpleName();
                }
                seen.put(p + " " + name, outcome);
            });
        }

        Map<String, String> expected = new LinkedHashMap<>();
        for (Provider p : Provider.values()) {
            expected.put(p + " 401", "AuthenticationException");
            expected.put(p + " 429", "RateLimitException");
            // Anthropic reports an empty balance as a 400 invalid_request_error, the others as a 429
            expected.put(p + " quota", p == Provider.ANTHROPIC ? "InvalidRequestException" : "RateLimitException");
            expected.put(p + " 500", "InternalServerException");
            expected.put(p + " 503", "InternalServerException");
            expected.put(p + " timeout", "TimeoutException");
            expected.put(p + " garbage", "RuntimeException");
            // only the OpenAI client checks for a missing "choices"; the others fail on a null
            expected.put(p + " wrongShape", p == Provider.OPENAI ? "InternalServerException" : "NullPointerException");
            expected.put(p + " drop", "RuntimeException");
        }
        assertThat(seen).containsExactlyEntriesOf(expected);
    }

    @Test
    void httpErrorsCarryTheStatusAndTheProvidersBody() {
        fake.failNext(1, Trouble.quotaExceeded());

        Throwable thrown = catchThrowable(
                () -> model(Provider.OPENAI, Duration.ofSeconds(5)).chat(request()));

        assertThat(thrown).isInstanceOf(RateLimitException.class).hasMessageContaining("insufficient_quota");
        assertThat(thrown.getCause()).isInstanceOfSatisfying(HttpException.class, h -> assertThat(h.statusCode())
                .isEqualTo(429));
    }

    @Test
    void aBlankGeminiKeyIsRejectedByTheFake() {
        ChatModel model = GoogleAiGeminiChatModel.builder()
                .baseUrl(fake.baseUrl(Provider.GEMINI))
                .apiKey("")
                .modelName("gemini-2.0-flash")
                .maxRetries(0)
                .build();

        assertThatThrownBy(() -> model.chat(request())).isInstanceOf(AuthenticationException.class);
        assertThat(fake.calls(Provider.GEMINI).get(0).header("x-goog-api-key")).contains("");
    }
}
