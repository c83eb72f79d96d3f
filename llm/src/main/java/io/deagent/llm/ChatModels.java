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
        return switch (s.provider()) {
            case GEMINI -> {
                var b = GoogleAiGeminiChatModel.builder()
                        .apiKey(s.apiKey().orElse(""))
                        .modelName(s.model())
                        .temperature(0.1)
                        .maxOutputTokens(s.outputTokens())
                        .timeout(timeout)
                        .responseFormat(ResponseFormat.JSON)
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
                        .responseFormat("json_object")
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
                        .responseFormat(ResponseFormat.JSON)
                        .maxRetries(0);
                b.baseUrl(s.baseUrl().orElse("http://localhost:11434"));
                yield b.build();
            }
        };
    }
}
