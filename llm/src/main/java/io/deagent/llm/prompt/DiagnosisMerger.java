package io.deagent.llm.prompt;

import io.deagent.core.Diagnosis;
import io.deagent.core.Redactor;
import io.deagent.core.rules.RuleCatalog;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Puts a validated answer into the rules' diagnosis. The model supplies the words (category, title, summary,
 * confidence, fix class, fix summary and steps) and the lines it cited; everything else stays the rules':
 * entities, signature (so the cache and recurrence stay stable even when the category changes), recurrence,
 * missing evidence, log stats, root cause and rule id.
 *
 * <p>Evidence is the rules' evidence plus up to {@value #MAX_CITED} cited log lines it did not have yet, with
 * the text the prompt showed (already redacted; redacted again here), log lines in line order, then the
 * measured facts.
 *
 * <p>When the category changed, {@code layer} and {@code transience} are derived from the rule catalog's
 * rules for the new category: the rules' layer is kept when a rule of that layer has the category, otherwise
 * the one layer those rules share; transience is the one those rules agree on. When the catalog has no rule
 * for the category, or its rules disagree, the value is {@code unknown}: we do not guess.
 */
public final class DiagnosisMerger {

    /** At most this many cited lines are added to the rules' evidence. */
    public static final int MAX_CITED = 8;

    private static final String UNKNOWN = "unknown";

    private DiagnosisMerger() {}

    /** The merged diagnosis, with the built-in rule catalog for the layer of a new category. */
    public static Diagnosis merge(Diagnosis rules, LlmAnswer answer, String explainedBy) {
        return merge(rules, answer, explainedBy, RuleCatalog.builtIn());
    }

    /**
     * @param explainedBy the provider and model, e.g. {@code gemini/gemini-2.0-flash}
     * @param catalog the catalog the rules' diagnosis came from
     */
    public static Diagnosis merge(Diagnosis rules, LlmAnswer answer, String explainedBy, RuleCatalog catalog) {
        if (explainedBy == null || explainedBy.isBlank()) {
            throw new IllegalArgumentException(
                    "explainedBy names the provider and model, e.g. gemini/gemini-2.0-flash");
        }
        boolean sameCategory = rules.category().equals(answer.category());
        String layer = sameCategory ? rules.layer() : layerOf(answer.category(), rules.layer(), catalog);
        String transience = sameCategory ? rules.transience() : transienceOf(answer.category(), catalog);
        // a codemod was chosen for the rules' fix class; it does not carry over to another remedy
        Optional<String> codemod =
                rules.fix().fixClass().equals(answer.fixClass()) ? rules.fix().codemod() : Optional.empty();
        Diagnosis.Fix fix = new Diagnosis.Fix(
                answer.fixClass(),
                Redactor.redact(answer.fixSummary()),
                answer.steps().stream().map(Redactor::redact).toList(),
                codemod);
        return new Diagnosis(
                rules.schema(),
                answer.category(),
                Redactor.redact(answer.title()),
                Redactor.redact(answer.summary()),
                layer,
                transience,
                answer.confidence(),
                rules.rootCause(),
                rules.entities(),
                evidence(rules.evidence(), answer.evidenceLines()),
                fix,
                rules.signature(),
                rules.recurrence(),
                rules.missingEvidence(),
                explainedBy,
                rules.ruleId(),
                rules.log());
    }

    private static List<Diagnosis.EvidenceLine> evidence(
            List<Diagnosis.EvidenceLine> rules, List<Diagnosis.EvidenceLine> cited) {
        List<Diagnosis.EvidenceLine> log = new ArrayList<>();
        List<Diagnosis.EvidenceLine> other = new ArrayList<>();
        Set<Integer> lines = new HashSet<>();
        for (Diagnosis.EvidenceLine e : rules) {
            if ("log".equals(e.source()) && e.line() > 0) {
                if (lines.add(e.line())) {
                    log.add(e);
                }
            } else {
                other.add(e);
            }
        }
        int added = 0;
        for (Diagnosis.EvidenceLine e : cited) {
            if (added < MAX_CITED && e.line() > 0 && lines.add(e.line())) {
                log.add(new Diagnosis.EvidenceLine("log", e.line(), Redactor.redact(e.text())));
                added++;
            }
        }
        log.sort(Comparator.comparingInt(Diagnosis.EvidenceLine::line));
        List<Diagnosis.EvidenceLine> out = new ArrayList<>(log);
        out.addAll(other);
        return List.copyOf(out);
    }

    static String layerOf(String category, String rulesLayer, RuleCatalog catalog) {
        Set<String> layers = catalog.rules().stream()
                .filter(r -> r.rule().category().equals(category))
                .map(RuleCatalog.LoadedRule::layer)
                .collect(Collectors.toSet());
        if (layers.contains(rulesLayer)) {
            return rulesLayer;
        }
        return layers.size() == 1 ? layers.iterator().next() : UNKNOWN;
    }

    static String transienceOf(String category, RuleCatalog catalog) {
        Set<String> values = catalog.rules().stream()
                .filter(r -> r.rule().category().equals(category))
                .map(r -> r.rule().isTransient() ? "transient" : "permanent")
                .collect(Collectors.toSet());
        return values.size() == 1 ? values.iterator().next() : UNKNOWN;
    }
}
