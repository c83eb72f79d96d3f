package io.deagent.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.deagent.core.Diagnosis;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.Explainer;
import io.deagent.llm.prompt.AnswerValidator;
import io.deagent.llm.prompt.ContextAssembler;
import io.deagent.llm.prompt.DiagnosisMerger;
import io.deagent.llm.prompt.LlmAnswer;
import io.deagent.llm.prompt.Prompt;
import io.deagent.llm.prompt.PromptTemplates;
import io.deagent.llm.prompt.TokenBudget;
import io.deagent.llm.prompt.Validation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks a model to explain the failure better than the rules' templates, and keeps the rules' diagnosis
 * whenever it cannot: no time left, the provider down, slow, rate limited or out of quota, or an answer that
 * fails validation twice (one repair is asked for). Validated answers are cached by signature, provider,
 * model and prompt version, so a recurring failure costs no second call. Only redacted, fenced text leaves.
 */
public final class LlmExplainer implements Explainer {

    private static final Logger log = LoggerFactory.getLogger(LlmExplainer.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    /** Too little time left to be worth a call. */
    private static final Duration MIN_TIME = Duration.ofMillis(500);

    private final LlmSettings settings;
    private final Function<Duration, ChatModel> models;
    private final ExplanationCache cache;
    private final ContextAssembler assembler;

    public LlmExplainer(LlmSettings settings, ExplanationCache cache) {
        this(settings, timeout -> ChatModels.of(settings, timeout), cache, new ContextAssembler());
    }

    LlmExplainer(
            LlmSettings settings,
            Function<Duration, ChatModel> models,
            ExplanationCache cache,
            ContextAssembler assembler) {
        this.settings = settings;
        this.models = models;
        this.cache = cache;
        this.assembler = assembler;
    }

    public LlmSettings settings() {
        return settings;
    }

    String cacheKey(Diagnosis rules) {
        return String.join(
                "|",
                rules.signature(),
                settings.provider().label(),
                settings.model(),
                PromptTemplates.load().version());
    }

    @Override
    public Explanation explain(Request request, Budget budget) {
        Diagnosis rules = request.rules();
        String key = cacheKey(rules);
        try {
            Optional<String> cached = cache.get(key);
            if (cached.isPresent()) {
                LlmAnswer answer = JSON.readValue(cached.get(), LlmAnswer.class);
                return new Explanation(
                        DiagnosisMerger.merge(rules, answer, settings.explainedBy()), 0, 0, 0, true, Optional.empty());
            }
        } catch (Exception e) {
            log.warn("ignoring an unreadable cached explanation for {}: {}", key, e.getMessage());
        }
        Prompt prompt;
        try {
            prompt = assembler.assemble(
                    request.event(),
                    rules,
                    request.log(),
                    request.facts(),
                    new TokenBudget(settings.inputTokens(), settings.outputTokens()));
        } catch (IllegalArgumentException e) {
            return Explanation.rules(rules, Optional.of("prompt: " + e.getMessage()));
        }
        List<ChatMessage> messages =
                new ArrayList<>(List.of(SystemMessage.from(prompt.system()), UserMessage.from(prompt.user())));
        int tokensIn = 0;
        int tokensOut = 0;
        String reason = "no answer";
        for (int attempt = 0; attempt < 2; attempt++) {
            Duration left = budget.remaining();
            if (left.compareTo(MIN_TIME) < 0) {
                return new Explanation(
                        rules,
                        tokensIn,
                        tokensOut,
                        cost(tokensIn, tokensOut),
                        false,
                        Optional.of("deadline: " + reason));
            }
            ChatResponse response;
            try {
                response = call(messages, min(left, settings.timeout()), budget);
            } catch (RuntimeException e) {
                return new Explanation(
                        rules, tokensIn, tokensOut, cost(tokensIn, tokensOut), false, Optional.of(describe(e)));
            }
            TokenUsage usage = response.tokenUsage();
            if (usage != null) {
                tokensIn += usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
                tokensOut += usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
            }
            String text = response.aiMessage() == null
                    ? ""
                    : nullToEmpty(response.aiMessage().text());
            Validation v = AnswerValidator.validate(text, prompt, rules);
            if (v instanceof Validation.Valid valid) {
                storeInCache(key, valid.answer());
                return new Explanation(
                        DiagnosisMerger.merge(rules, valid.answer(), settings.explainedBy()),
                        tokensIn,
                        tokensOut,
                        cost(tokensIn, tokensOut),
                        false,
                        Optional.empty());
            }
            reason = ((Validation.Invalid) v).reason();
            log.info(
                    "the {} answer was refused ({}){}",
                    settings.explainedBy(),
                    reason,
                    attempt == 0 ? "; asking for a repair" : "");
            // one repair: the model sees why, never its whole answer if that was huge
            messages.add(
                    dev.langchain4j.data.message.AiMessage.from(text.length() > 2000 ? text.substring(0, 2000) : text));
            messages.add(UserMessage.from(assembler.repairPrompt(prompt, text, reason)));
        }
        return new Explanation(
                rules, tokensIn, tokensOut, cost(tokensIn, tokensOut), false, Optional.of("invalid answer: " + reason));
    }

    private double cost(int in, int out) {
        return settings.costUsd(in, out);
    }

    /** One call, with one wait-and-retry for a rate limit when the budget allows it. */
    private ChatResponse call(List<ChatMessage> messages, Duration timeout, Budget budget) {
        ChatRequest request = ChatRequest.builder().messages(messages).build();
        try {
            return models.apply(timeout).chat(request);
        } catch (RateLimitException e) {
            if (String.valueOf(e.getMessage()).contains("quota")
                    || budget.remaining().toMillis() < 3_000) {
                throw e;
            }
            sleep(Duration.ofSeconds(1));
            return models.apply(min(budget.remaining(), settings.timeout())).chat(request);
        }
    }

    private void storeInCache(String key, LlmAnswer answer) {
        try {
            cache.put(key, JSON.writeValueAsString(answer), settings.cacheTtl());
        } catch (Exception e) {
            log.warn("cannot cache the explanation for {}: {}", key, e.getMessage());
        }
    }

    /** The fallback reason, without the provider's error body (it can echo our prompt). */
    static String describe(RuntimeException e) {
        String kind = e.getClass().getSimpleName();
        if (e instanceof AuthenticationException) {
            return "provider: " + kind + " (check the API key)";
        }
        if (e instanceof RateLimitException) {
            return "provider: " + kind + (String.valueOf(e.getMessage()).contains("quota") ? " (quota)" : "");
        }
        if (e instanceof dev.langchain4j.exception.LangChain4jException) {
            return "provider: " + kind;
        }
        return "provider: unreadable answer or connection lost (" + kind + ")";
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
