package io.deagent.llm;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which model explains, from {@code DE_AGENT_LLM}, {@code DE_AGENT_LLM_MODEL}, {@code DE_AGENT_LLM_BASE_URL} and
 * the provider's key. With no setting, Gemini is used when {@code GEMINI_API_KEY} is set, else no LLM.
 */
public record LlmSettings(
        Provider provider,
        String model,
        Optional<String> baseUrl,
        Optional<String> apiKey,
        int inputTokens,
        int outputTokens,
        Duration timeout,
        Duration cacheTtl,
        double usdPerMillionIn,
        double usdPerMillionOut) {

    /** The providers LangChain4j reaches for us; OPENAI also means any OpenAI-compatible server. */
    public enum Provider {
        // list prices of the default models in USD per million tokens (in, out), for the cost estimate only;
        // DE_AGENT_LLM_PRICE_IN / _OUT override them for other models and contracts
        GEMINI("gemini-2.0-flash", "GEMINI_API_KEY", 0.10, 0.40),
        OPENAI("gpt-4o-mini", "OPENAI_API_KEY", 0.15, 0.60),
        ANTHROPIC("claude-3-5-haiku-latest", "ANTHROPIC_API_KEY", 0.80, 4.00),
        OLLAMA("llama3.1", null, 0, 0);

        final String defaultModel;
        final String keyVariable;
        final double priceIn;
        final double priceOut;

        Provider(String defaultModel, String keyVariable, double priceIn, double priceOut) {
            this.defaultModel = defaultModel;
            this.keyVariable = keyVariable;
            this.priceIn = priceIn;
            this.priceOut = priceOut;
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    @Override
    public String toString() {
        // never print the key
        return provider.label() + "/" + model + baseUrl.map(u -> " at " + u).orElse("");
    }

    /** The estimated cost of a call, from the configured or list prices. */
    public double costUsd(int tokensIn, int tokensOut) {
        return (tokensIn * usdPerMillionIn + tokensOut * usdPerMillionOut) / 1_000_000.0;
    }

    /** What a diagnosis says explained it: {@code gemini/gemini-2.0-flash}. */
    public String explainedBy() {
        return provider.label() + "/" + model;
    }

    /** Empty when no LLM is configured (rules only). Bad values throw with the variable named. */
    public static Optional<LlmSettings> from(Function<String, Optional<String>> config) {
        String choice = config.apply("DE_AGENT_LLM")
                .map(s -> s.trim().toLowerCase(Locale.ROOT))
                .orElse(config.apply("GEMINI_API_KEY").isPresent() ? "gemini" : "none");
        if (choice.equals("none")) {
            return Optional.empty();
        }
        Provider provider;
        try {
            provider = Provider.valueOf(choice.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "DE_AGENT_LLM must be none, gemini, openai, anthropic or ollama, got '" + choice + "'");
        }
        Optional<String> key = provider.keyVariable == null ? Optional.empty() : config.apply(provider.keyVariable);
        Optional<String> baseUrl = config.apply("DE_AGENT_LLM_BASE_URL");
        // an OpenAI-compatible gateway on a private network may take no key
        if (provider.keyVariable != null && key.isEmpty() && !(provider == Provider.OPENAI && baseUrl.isPresent())) {
            throw new IllegalArgumentException(
                    "DE_AGENT_LLM=" + provider.label() + " needs " + provider.keyVariable + " (or DE_AGENT_LLM=none)");
        }
        return Optional.of(new LlmSettings(
                provider,
                config.apply("DE_AGENT_LLM_MODEL").orElse(provider.defaultModel),
                baseUrl,
                key,
                number(config, "DE_AGENT_LLM_INPUT_TOKENS", 8000, 500, 1_000_000),
                number(config, "DE_AGENT_LLM_OUTPUT_TOKENS", 2000, 100, 100_000),
                Duration.ofSeconds(number(config, "DE_AGENT_LLM_TIMEOUT_SECONDS", 20, 1, 600)),
                Duration.ofHours(number(config, "DE_AGENT_LLM_CACHE_HOURS", 168, 0, 24 * 365)),
                price(config, "DE_AGENT_LLM_PRICE_IN", provider.priceIn),
                price(config, "DE_AGENT_LLM_PRICE_OUT", provider.priceOut)));
    }

    private static double price(Function<String, Optional<String>> config, String name, double fallback) {
        Optional<String> v = config.apply(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            double d = Double.parseDouble(v.get().trim());
            if (d < 0) {
                throw new NumberFormatException();
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    name + " must be a price in USD per million tokens, got '" + v.get() + "'");
        }
    }

    private static int number(Function<String, Optional<String>> config, String name, int fallback, int min, int max) {
        Optional<String> v = config.apply(name);
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.get().trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, got '" + v.get() + "'");
        }
    }
}
