package io.deagent.llm;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import java.time.Duration;

/**
 * Builds the LangChain4j chat model of a provider: JSON output where the provider has a JSON mode, a low
 * temperature, no retries of its own (the explainer decides, within the investigation's deadline).
 */
final class ChatModels {

    private ChatModels() {}

    static ChatModel of(LlmSettings s, Duration timeout) {
        return build(s, timeout, true);
    }

    /** The same model asked for plain text (follow-up answers in a thread). */
    static ChatModel plainText(LlmSettings s, Duration timeout) {
        return build(s, timeout, false);
    }

    private static ChatModel build(LlmSettings s, Duration timeout, boolean json) {
        return switch (s.provider()) {
            case GEMINI -> {
                var b = GoogleAiGeminiChatModel.builder()
                        .apiKey(s.apiKey().orElse(""))
                        .modelName(s.model())
                        .temperature(0.1)
                        .maxOutputTokens(s.outputTokens())
                        .timeout(timeout)
                        .responseFormat(json ? ResponseFormat.JSON : ResponseFormat.TEXT)
                        .maxRetries(0);
                s.baseUrl().ifPresent(b::baseUrl);
                yield b.build();
            }
            case OPENAI -> {
                var b = OpenAiChatModel.builder()
                        .apiKey(s.apiKey().orElse("none"))
                        .modelName(s.model())
                        .temperature(0.1)
                        .maxTokens(s.outputTokens())
                        .timeout(timeout)
                        .responseFormat(json ? "json_object" : "text")
                        .maxRetries(0);
                s.baseUrl().ifPresent(b::baseUrl);
                yield b.build();
            }
            case ANTHROPIC -> {
                // no JSON mode: the prompt asks for the object and the validator checks it
                var b = AnthropicChatModel.builder()
                        .apiKey(s.apiKey().orElse(""))
                        .modelName(s.model())
                        .temperature(0.1)
                        .maxTokens(s.outputTokens())
                        .timeout(timeout)
                        .maxRetries(0);
                s.baseUrl().ifPresent(b::baseUrl);
                yield b.build();
            }
            case OLLAMA -> {
                var b = OllamaChatModel.builder()
                        .modelName(s.model())
                        .temperature(0.1)
                        .timeout(timeout)
                        .responseFormat(json ? ResponseFormat.JSON : ResponseFormat.TEXT)
                        .maxRetries(0);
                b.baseUrl(s.baseUrl().orElse("http://localhost:11434"));
                yield b.build();
            }
        };
    }
}
