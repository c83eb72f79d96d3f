package io.deagent.core.rules;

import io.deagent.core.log.LogLine;
import io.deagent.core.log.ThrownException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The classifier's verdict with its proof.
 *
 * @param rule the winning rule, empty when the verdict is {@code unknown}
 * @param category the taxonomy category
 * @param confidence 0 to 1, from how much evidence agreed
 * @param proof the lines that prove it, in log order
 * @param entities taxonomy keys to values copied verbatim from the log
 * @param rootCause the root-cause exception when the log has one
 * @param runnerUp the best competing category, for the reader and for confidence
 * @param facts the measured facts that matched or confirmed the rule
 */
public record Classification(
        Optional<RuleCatalog.LoadedRule> rule,
        String category,
        double confidence,
        List<LogLine> proof,
        Map<String, String> entities,
        Optional<ThrownException> rootCause,
        Optional<String> runnerUp,
        List<Fact> facts) {}
