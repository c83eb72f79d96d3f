package io.deagent.llm;

import java.time.Duration;
import java.util.Optional;

/**
 * Validated answers by key (signature, provider, model, prompt version), so a recurring failure costs no
 * second call. The server keeps them in the incident store, where replicas share them.
 */
public interface ExplanationCache {

    Optional<String> get(String key);

    void put(String key, String answerJson, Duration ttl);

    /** No cache: every explanation is asked for (the CLI without a store). */
    ExplanationCache NONE = new ExplanationCache() {
        @Override
        public Optional<String> get(String key) {
            return Optional.empty();
        }

        @Override
        public void put(String key, String answerJson, Duration ttl) {}
    };
}
