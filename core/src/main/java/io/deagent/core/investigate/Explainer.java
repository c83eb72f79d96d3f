package io.deagent.core.investigate;

import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.log.LogDocument;
import io.deagent.core.rules.Fact;
import java.util.List;
import java.util.Optional;

/**
 * Turns the rules' diagnosis into the one the reader sees. Without an LLM that is the rules' diagnosis
 * itself; an LLM-backed explainer may improve the words, and must fall back to the rules' diagnosis
 * whenever it is absent, slow, wrong or down. It never throws.
 */
public interface Explainer {

    /** What the explainer may look at: the event, the rules' verdict, the log as read, the measured facts. */
    record Request(FailureEvent event, Diagnosis rules, LogDocument log, List<Fact> facts) {}

    /** The diagnosis to report, what it cost, and why the rules' answer stands when it does. */
    record Explanation(
            Diagnosis diagnosis,
            int tokensIn,
            int tokensOut,
            double costUsd,
            boolean cached,
            Optional<String> fallbackReason) {

        public static Explanation rules(Diagnosis d, Optional<String> why) {
            return new Explanation(d, 0, 0, 0, false, why);
        }
    }

    Explanation explain(Request request, Budget budget);

    /** The explainer of an install with no LLM: the rules' diagnosis, as it is. */
    Explainer RULES = (request, budget) -> Explanation.rules(request.rules(), Optional.empty());
}
