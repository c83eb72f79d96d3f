package io.deagent.runtime;

import io.deagent.core.LogDiagnoser;
import io.deagent.core.investigate.EvidenceCollector;
import io.deagent.core.investigate.Explainer;
import io.deagent.core.investigate.Investigator;
import io.deagent.core.log.LogReader;
import io.deagent.llm.ExplanationCache;
import io.deagent.llm.LlmExplainer;
import io.deagent.llm.LlmSettings;
import java.time.Clock;
import java.time.Duration;

/**
 * The one {@link Investigator} every door builds ({@code serve}, {@code replay}, the Lambda worker): the
 * configured deadline, evidence sources and explainer (the rules, or the configured LLM on top of them).
 */
public final class Investigators {

    private Investigators() {}

    /** The investigator with the configured deadline, sources and explainer, its LLM answers not cached. */
    public static Investigator investigator(Config config, Clock clock) {
        return investigator(config, clock, ExplanationCache.NONE);
    }

    /** The investigator with the configured LLM (if any) explaining, its answers cached in {@code cache}. */
    public static Investigator investigator(Config config, Clock clock, ExplanationCache cache) {
        Duration deadline = config.seconds("DE_AGENT_DEADLINE_SECONDS", 25, 1, 600);
        Duration perSource = config.seconds("DE_AGENT_SOURCE_TIMEOUT_SECONDS", 10, 1, 600);
        EvidenceCollector collector =
                new EvidenceCollector(EvidenceSources.of(config).sources(), deadline, perSource, 8L << 20, clock);
        return new Investigator(
                LogDiagnoser.builtIn(), collector, new LogReader(), clock, explainer(config, cache), deadline);
    }

    /** The rules alone, or the configured LLM on top of them. */
    public static Explainer explainer(Config config, ExplanationCache cache) {
        try {
            return LlmSettings.from(config::get)
                    .<Explainer>map(s -> new LlmExplainer(s, cache))
                    .orElse(Explainer.RULES);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }
}
