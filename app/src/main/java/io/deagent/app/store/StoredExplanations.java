package io.deagent.app.store;

import static io.deagent.app.store.IncidentStore.ts;

import io.deagent.llm.ExplanationCache;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The LLM answer cache in the incident store, shared by every replica. */
public final class StoredExplanations implements ExplanationCache {

    private final Jdbi jdbi;
    private final Clock clock;

    public StoredExplanations(Database db, Clock clock) {
        this.jdbi = db.jdbi();
        this.clock = clock;
    }

    @Override
    public Optional<String> get(String key) {
        return jdbi.withHandle(
                h -> h.createQuery("SELECT answer_json FROM llm_cache WHERE cache_key = :k AND expires_at > :now")
                        .bind("k", key)
                        .bind("now", ts(clock.instant()))
                        .mapTo(String.class)
                        .findOne());
    }

    @Override
    public void put(String key, String answerJson, Duration ttl) {
        if (ttl.isZero() || ttl.isNegative()) {
            return;
        }
        var now = clock.instant();
        try {
            replace(key, answerJson, ttl, now);
        } catch (RuntimeException e) {
            // another replica stored the same answer at the same moment: either copy will do
        }
    }

    private void replace(String key, String answerJson, Duration ttl, java.time.Instant now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM llm_cache WHERE cache_key = :k")
                    .bind("k", key)
                    .execute();
            h.createUpdate("""
                            INSERT INTO llm_cache (cache_key, answer_json, created_at, expires_at)
                            VALUES (:k, :json, :now, :expires)
                            """)
                    .bind("k", key)
                    .bind("json", answerJson)
                    .bind("now", ts(now))
                    .bind("expires", ts(now.plus(ttl)))
                    .execute();
        });
    }
}
